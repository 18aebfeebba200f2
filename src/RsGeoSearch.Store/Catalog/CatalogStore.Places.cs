using Npgsql;
using NpgsqlTypes;
using Pgvector;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

public sealed partial class CatalogStore
{
    /// <summary>
    /// For each chip in <paramref name="chipIds"/>, the chips of other scenes that show the same place — footprints
    /// overlapping with IoU ≥ <paramref name="minIoU"/> (the same grid cell of a scene on the same grid has IoU ≈ 1) —
    /// inside the time range, with their acquisition time and cosine to <paramref name="vector"/> under
    /// <paramref name="model"/>: the other dates of a place in a grouped search.
    /// </summary>
    public async Task<IReadOnlyList<PlaceChip>> GetPlaceChipsAsync(string model, IReadOnlyCollection<long> chipIds, float[] vector, double minIoU, TimeRange time, CancellationToken ct = default)
    {
        if (chipIds.Count == 0) return [];
        var m = await GetModelAsync(model, ct).ConfigureAwait(false);
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        // The given chips first, materialized: on Citus a join of chips with chips on their footprints (not the
        // distribution column) cannot be planned, but a join of an intermediate result with the shards can.
        var sql = new System.Text.StringBuilder($"""
            WITH a AS MATERIALIZED (SELECT id, scene_id, footprint FROM chips WHERE id = ANY(@ids))
            SELECT a.id, b.id, b.acquired_at, 1 - (e.{m.Column} <=> @q::{m.VectorType}) FROM a
            JOIN chips b ON b.footprint && a.footprint AND b.scene_id <> a.scene_id
            JOIN embeddings e ON e.chip_id = b.id AND e.cell = b.cell AND e.model_id = {m.Id}
            WHERE ST_Area(ST_Intersection(a.footprint, b.footprint)) >= @iou * nullif(ST_Area(ST_Union(a.footprint, b.footprint)), 0)
            """);
        await using var cmd = new NpgsqlCommand { Connection = conn };
        AppendTimeFilter(sql, cmd, "b", time);
        sql.Append(" ORDER BY a.id, b.acquired_at, b.id");
        cmd.CommandText = sql.ToString();
        cmd.Parameters.AddWithValue("q", new Vector(vector));
        cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = chipIds.ToArray() });
        cmd.Parameters.AddWithValue("iou", minIoU);
        var rows = new List<PlaceChip>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            rows.Add(new PlaceChip(reader.GetInt64(0), reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.GetDouble(3)));
        return rows;
    }
}

/// <summary>A chip <see cref="ChipId"/> showing the same place as <see cref="OfChipId"/> on another date, and its score.</summary>
public sealed record PlaceChip(long OfChipId, long ChipId, DateTimeOffset? AcquiredAt, double Score);
