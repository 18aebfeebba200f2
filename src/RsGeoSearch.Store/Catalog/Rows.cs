using NetTopologySuite.Geometries;
using Npgsql;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>Reads the catalogue's rows (chips as <see cref="ChipSql.ChipColumns"/>, scenes as <see cref="SceneQueries"/> selects them).</summary>
internal static class Rows
{
    public static ChipRecord ReadChip(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt16(3), r.GetInt32(4), r.GetInt32(5),
        new PixelWindow(r.GetInt32(6), r.GetInt32(7), r.GetInt32(8), r.GetInt32(9)),
        r.IsDBNull(10) ? null : ReadPolygon(r, 10),
        r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
        r.GetFloat(12));

    public static SceneRecord ReadScene(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1),
        r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2),
        (AcquisitionSource)r.GetInt16(3),
        r.IsDBNull(4) ? null : ReadPolygon(r, 4),
        r.IsDBNull(5) ? null : r.GetString(5),
        r.GetInt32(6), r.GetInt32(7), r.GetInt32(8), r.GetInt64(9));

    public static async Task<List<T>> ReadAllAsync<T>(NpgsqlDataReader reader, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        var list = new List<T>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(read(reader));
        return list;
    }

    private static Polygon ReadPolygon(NpgsqlDataReader r, int ordinal) =>
        r.GetFieldValue<Geometry>(ordinal) as Polygon
        ?? throw new StoreException($"expected a polygon in column {r.GetName(ordinal)} of the catalog, found a {r.GetFieldValue<Geometry>(ordinal).GeometryType}");
}
