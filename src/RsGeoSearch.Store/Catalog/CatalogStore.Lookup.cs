using System.Text;
using Npgsql;
using NpgsqlTypes;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

public sealed partial class CatalogStore
{
    private const string ChipColumns = """
        c.id, c.scene_id, s.uri, c.level, c.col, c."row", c.px_x, c.px_y, c.px_width, c.px_height,
        ST_AsBinary(c.footprint), c.acquired_at, c.nodata_fraction
        """;

    /// <summary>One chip with its scene's uri, level and pixel window (what a thumbnail needs); null when absent.</summary>
    public async Task<ChipRecord?> GetChipAsync(long chipId, CancellationToken ct = default) =>
        (await GetChipsAsync([chipId], ct).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>The chips of these ids that exist, in id order.</summary>
    public async Task<IReadOnlyList<ChipRecord>> GetChipsAsync(IReadOnlyCollection<long> chipIds, CancellationToken ct = default)
    {
        if (chipIds.Count == 0) return [];
        await using var conn = await DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var found = await LoadHitDetailsAsync(conn, chipIds.ToArray(), ct).ConfigureAwait(false);
        return found.Values.OrderBy(c => c.Id).ToList();
    }

    /// <summary>
    /// Chips that pass the filter, by id, with paging: the feature listing of OGC API Features when no text
    /// query ranks them. With <see cref="ChipFilter.Model"/>, only chips embedded by that model.
    /// </summary>
    public async Task<IReadOnlyList<ChipRecord>> ListChipsAsync(ChipFilter filter, int limit, int offset = 0, CancellationToken ct = default)
    {
        if (limit < 1 || limit > SearchQuery.MaxLimit) throw new InputException($"limit {limit} must be between 1 and {SearchQuery.MaxLimit}");
        if (offset < 0) throw new InputException($"offset {offset} must not be negative");
        await using var conn = await DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand { Connection = conn };
        var sql = new StringBuilder($"SELECT {ChipColumns} FROM chips c JOIN scenes s ON s.id = c.scene_id WHERE true");
        await AppendChipFilterAsync(sql, cmd, filter, ct).ConfigureAwait(false);
        sql.Append(" ORDER BY c.id LIMIT @limit OFFSET @offset");
        cmd.CommandText = sql.ToString();
        cmd.Parameters.AddWithValue("limit", limit);
        cmd.Parameters.AddWithValue("offset", (long)offset);
        var list = new List<ChipRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadChip(reader));
        return list;
    }

    /// <summary>How many chips pass the filter (OGC numberMatched of a listing).</summary>
    public async Task<long> CountChipsAsync(ChipFilter filter, CancellationToken ct = default)
    {
        await using var conn = await DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand { Connection = conn };
        var sql = new StringBuilder("SELECT count(*) FROM chips c WHERE true");
        await AppendChipFilterAsync(sql, cmd, filter, ct).ConfigureAwait(false);
        cmd.CommandText = sql.ToString();
        return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>The stored embeddings of these chips under the model (chips without one are left out): for --like / --unlike.</summary>
    public async Task<IReadOnlyDictionary<long, float[]>> GetEmbeddingsAsync(string model, IReadOnlyCollection<long> chipIds, CancellationToken ct = default)
    {
        var m = await GetModelAsync(model, ct).ConfigureAwait(false);
        var result = new Dictionary<long, float[]>();
        if (chipIds.Count == 0) return result;
        await using var conn = await DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"SELECT chip_id, embedding::real[] FROM embeddings WHERE model_id = {m.Id} AND chip_id = ANY(@ids)", conn);
        cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = chipIds.ToArray() });
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) result[reader.GetInt64(0)] = reader.GetFieldValue<float[]>(1);
        return result;
    }

    /// <summary>Every scene, by id, with its stored chip count and the models that completed it.</summary>
    public async Task<IReadOnlyList<SceneRecord>> ListScenesAsync(CancellationToken ct = default)
    {
        await using var conn = await DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("""
            SELECT s.id, s.uri, s.sha256, s.crs, s.acquired_at, s.acquired_source, ST_AsBinary(s.footprint),
                   s.width, s.height, s.bands, s.ingested_at,
                   coalesce((SELECT max(sm.chip_count) FROM scene_models sm WHERE sm.scene_id = s.id), 0)::bigint,
                   coalesce((SELECT array_agg(m.name ORDER BY m.name) FROM scene_models sm JOIN models m ON m.id = sm.model_id
                             WHERE sm.scene_id = s.id AND sm.completed_at IS NOT NULL), '{}')
            FROM scenes s ORDER BY s.id
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<SceneRecord>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            list.Add(new SceneRecord(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                (AcquisitionSource)reader.GetInt16(5),
                reader.IsDBNull(6) ? null : Wkb.ReadPolygon(reader.GetFieldValue<byte[]>(6)),
                reader.GetInt32(7), reader.GetInt32(8), reader.GetInt32(9),
                reader.GetFieldValue<DateTimeOffset>(10),
                reader.GetInt64(11),
                reader.GetFieldValue<string[]>(12)));
        }
        return list;
    }

    /// <summary>
    /// Where and when there is imagery (of the model, when given): the box around scene footprints (chips lie
    /// inside them), the earliest and latest acquisition, and scene and chip counts.
    /// </summary>
    public async Task<CatalogExtent> GetExtentAsync(string? model = null, CancellationToken ct = default)
    {
        var m = model is null ? null : await GetModelAsync(model, ct).ConfigureAwait(false);
        await using var conn = await DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var join = m is null
            ? "(SELECT scene_id, max(chip_count) AS chip_count FROM scene_models GROUP BY scene_id) sm ON sm.scene_id = s.id"
            : $"scene_models sm ON sm.scene_id = s.id AND sm.model_id = {m.Id}";
        var from = m is null ? $"scenes s LEFT JOIN {join}" : $"scenes s JOIN {join}";
        await using var cmd = new NpgsqlCommand($"""
            SELECT ST_XMin(x), ST_YMin(x), ST_XMax(x), ST_YMax(x), t0, t1, n, chips
            FROM (SELECT ST_Extent(s.footprint) AS x, min(s.acquired_at) AS t0, max(s.acquired_at) AS t1,
                         count(*) AS n, coalesce(sum(sm.chip_count), 0)::bigint AS chips
                  FROM {from}) e
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        BoundingBox? box = reader.IsDBNull(0) ? null
            : new BoundingBox(reader.GetDouble(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3));
        return new CatalogExtent(box,
            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
            reader.GetInt64(6), reader.GetInt64(7));
    }

    /// <summary>Distinct UTC acquisition dates of scenes (inside the box and of the model, when given), ascending: the dates change detection compares.</summary>
    public async Task<IReadOnlyList<DateOnly>> GetAcquisitionDatesAsync(BoundingBox? bbox = null, string? model = null, CancellationToken ct = default)
    {
        var m = model is null ? null : await GetModelAsync(model, ct).ConfigureAwait(false);
        await using var conn = await DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand { Connection = conn };
        var sql = new StringBuilder("SELECT DISTINCT (s.acquired_at AT TIME ZONE 'UTC')::date FROM scenes s");
        if (m is not null) sql.Append($" JOIN scene_models sm ON sm.scene_id = s.id AND sm.model_id = {m.Id}");
        sql.Append(" WHERE s.acquired_at IS NOT NULL");
        if (bbox is { } b)
        {
            sql.Append(" AND ST_Intersects(s.footprint, ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, 4326))");
            AddBbox(cmd, b);
        }
        sql.Append(" ORDER BY 1");
        cmd.CommandText = sql.ToString();
        var list = new List<DateOnly>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(reader.GetFieldValue<DateOnly>(0));
        return list;
    }

    private async Task AppendChipFilterAsync(StringBuilder sql, NpgsqlCommand cmd, ChipFilter filter, CancellationToken ct)
    {
        if (filter.Model is { } name)
        {
            var m = await GetModelAsync(name, ct).ConfigureAwait(false);
            sql.Append($" AND EXISTS (SELECT 1 FROM embeddings e WHERE e.model_id = {m.Id} AND e.chip_id = c.id)");
        }
        if (filter.Bbox is { } b)
        {
            sql.Append(" AND ST_Intersects(c.footprint, ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, 4326))");
            AddBbox(cmd, b);
        }
        if (filter.Time.From is { } from)
        {
            sql.Append(" AND c.acquired_at >= @from");
            cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from.ToUniversalTime() });
        }
        if (filter.Time.To is { } to)
        {
            sql.Append(" AND c.acquired_at <= @to");
            cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = to.ToUniversalTime() });
        }
    }

    private static async Task<Dictionary<long, ChipRecord>> LoadHitDetailsAsync(NpgsqlConnection conn, long[] ids, CancellationToken ct)
    {
        var result = new Dictionary<long, ChipRecord>(ids.Length);
        if (ids.Length == 0) return result;
        await using var cmd = new NpgsqlCommand($"SELECT {ChipColumns} FROM chips c JOIN scenes s ON s.id = c.scene_id WHERE c.id = ANY(@ids)", conn);
        cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ids });
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var chip = ReadChip(reader);
            result[chip.Id] = chip;
        }
        return result;
    }

    private static ChipRecord ReadChip(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt16(3), r.GetInt32(4), r.GetInt32(5),
        new PixelWindow(r.GetInt32(6), r.GetInt32(7), r.GetInt32(8), r.GetInt32(9)),
        r.IsDBNull(10) ? null : Wkb.ReadPolygon(r.GetFieldValue<byte[]>(10)),
        r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
        r.GetFloat(12));
}
