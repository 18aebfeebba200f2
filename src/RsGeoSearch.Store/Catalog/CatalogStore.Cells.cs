using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace RsGeoSearch.Store;

public sealed partial class CatalogStore
{
    /// <summary>
    /// Appends a condition on the spatial cell of chips <paramref name="alias"/> for a query over a box whose
    /// @minx..@maxy parameters <paramref name="cmd"/> already has: the cells of the scenes whose footprint meets the
    /// box, looked up first on <paramref name="cmd"/>'s connection and sent as constants. A chip lies inside its
    /// scene's footprint and carries its scene's cell, so no matching chip is lost; on a Citus cluster, where chips
    /// and embeddings are distributed by cell, constants let the coordinator send the query only to the shards
    /// holding those cells (scenes is a reference table there, so the look-up stays on the coordinator).
    /// </summary>
    internal static async Task AppendCellFilterAsync(StringBuilder sql, NpgsqlCommand cmd, string alias, CancellationToken ct)
    {
        await using var lookup = new NpgsqlCommand(
            "SELECT coalesce(array_agg(DISTINCT s.cell), '{}') FROM scenes s WHERE s.footprint && ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, 4326)",
            cmd.Connection, cmd.Transaction);
        foreach (var name in new[] { "minx", "miny", "maxx", "maxy" })
            lookup.Parameters.AddWithValue(name, cmd.Parameters[name].Value!);
        var cells = (int[])(await lookup.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        sql.Append($" AND {alias}.cell = ANY(@cells)");
        cmd.Parameters.Add(new NpgsqlParameter("cells", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = cells });
    }
}
