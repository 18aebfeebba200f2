using System.Text;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using Pgvector;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Store;

public sealed partial class CatalogStore
{
    private const string ChipColumns = """
        c.id, c.scene_id, s.uri, c.level, c.col, c."row", c.px_x, c.px_y, c.px_width, c.px_height,
        c.footprint, c.acquired_at, c.nodata_fraction
        """;

    /// <summary>One chip with its scene's uri, level and pixel window (what a thumbnail needs); null when absent.</summary>
    public async Task<ChipRecord?> GetChipAsync(long chipId, CancellationToken ct = default) =>
        (await GetChipsAsync([chipId], ct).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>The chips of these ids that exist, in id order.</summary>
    public async Task<IReadOnlyList<ChipRecord>> GetChipsAsync(IReadOnlyCollection<long> chipIds, CancellationToken ct = default)
    {
        if (chipIds.Count == 0) return [];
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        var found = await LoadHitDetailsAsync(conn, chipIds.ToArray(), ct).ConfigureAwait(false);
        return found.Values.OrderBy(c => c.Id).ToList();
    }

    /// <summary>
    /// Chips that pass the filter, by id, with paging: the feature listing of OGC API Features when no text
    /// query ranks them. With <see cref="ChipFilter.Model"/>, only chips embedded by that model.
    /// </summary>
    public async Task<IReadOnlyList<ChipRecord>> ListChipsAsync(ChipFilter filter, int limit, int offset = 0, CancellationToken ct = default, IReadOnlyList<SortClause>? sortBy = null)
    {
        if (limit < 1 || limit > SearchQuery.MaxLimit) throw new InputException($"limit {limit} must be between 1 and {SearchQuery.MaxLimit}");
        if (offset < 0) throw new InputException($"offset {offset} must not be negative");
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand { Connection = conn };
        var sql = new StringBuilder($"SELECT {ChipColumns} FROM chips c JOIN scenes s ON s.id = c.scene_id WHERE true");
        await AppendChipFilterAsync(sql, cmd, filter, ct).ConfigureAwait(false);
        sql.Append($" ORDER BY {FilterSql.OrderBy(sortBy, FilterColumns.Chips(null))} LIMIT @limit OFFSET @offset");
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
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
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
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"SELECT chip_id, {m.Column}::vector FROM embeddings WHERE model_id = {m.Id} AND chip_id = ANY(@ids)", conn);
        cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = chipIds.ToArray() });
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) result[reader.GetInt64(0)] = reader.GetFieldValue<Vector>(1).ToArray();
        return result;
    }

    private const string SceneColumns = """
        s.id, s.uri, s.acquired_at, s.acquired_source, s.footprint, s.crs, s.width, s.height, s.bands,
        coalesce((SELECT max(sm.chip_count) FROM scene_models sm WHERE sm.scene_id = s.id), 0)::bigint
        """;

    /// <summary>
    /// Scenes intersecting the box and acquired within the range, by id, one page of them, and how many match
    /// in all. ChipCount is the stored chip count (the largest over models).
    /// </summary>
    public async Task<(IReadOnlyList<SceneRecord> Items, long NumberMatched)> ListScenesAsync(
        BoundingBox? bbox = null, TimeRange time = default, int limit = 1000, int offset = 0, CancellationToken ct = default,
        FilterNode? where = null, IReadOnlyList<SortClause>? sortBy = null)
    {
        if (limit < 1 || limit > SearchQuery.MaxLimit) throw new InputException($"limit {limit} must be between 1 and {SearchQuery.MaxLimit}");
        if (offset < 0) throw new InputException($"offset {offset} must not be negative");
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand { Connection = conn };
        var conditions = new StringBuilder(" WHERE true");
        if (bbox is { } b)
        {
            conditions.Append(" AND ST_Intersects(s.footprint, ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, 4326))");
            AddBbox(cmd, b);
        }
        AppendTimeFilter(conditions, cmd, "s", time);
        FilterSql.Append(conditions, cmd, where, FilterColumns.Scenes);
        cmd.CommandText = $"SELECT {SceneColumns} FROM scenes s{conditions} ORDER BY {FilterSql.OrderBy(sortBy, FilterColumns.Scenes)} LIMIT @limit OFFSET @offset; SELECT count(*) FROM scenes s{conditions}";
        cmd.Parameters.AddWithValue("limit", limit);
        cmd.Parameters.AddWithValue("offset", (long)offset);
        var list = new List<SceneRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadScene(reader));
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return (list, reader.GetInt64(0));
    }

    /// <summary>One scene, or null when absent.</summary>
    public async Task<SceneRecord?> GetSceneAsync(long sceneId, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"SELECT {SceneColumns} FROM scenes s WHERE s.id = @id", conn);
        cmd.Parameters.AddWithValue("id", sceneId);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadScene(reader) : null;
    }

    /// <summary>The scene with this content hash, or null: lets an ingest report "already stored" before any work.</summary>
    public async Task<SceneRecord?> FindSceneBySha256Async(string sha256, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"SELECT {SceneColumns} FROM scenes s WHERE s.sha256 = @sha", conn);
        cmd.Parameters.AddWithValue("sha", NormalizeSha256(sha256));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadScene(reader) : null;
    }

    /// <summary>
    /// Where and when there is imagery (of the model, when given): the box around scene footprints (chips lie
    /// inside them), the earliest and latest acquisition, the distinct acquisition days, and scene and chip counts.
    /// </summary>
    public async Task<CatalogExtent> GetExtentAsync(string? model = null, CancellationToken ct = default)
    {
        var m = model is null ? null : await GetModelAsync(model, ct).ConfigureAwait(false);
        var dates = await GetAcquisitionDatesAsync(null, model, ct).ConfigureAwait(false);
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        var from = m is null
            ? "scenes s LEFT JOIN (SELECT scene_id, max(chip_count) AS chip_count FROM scene_models GROUP BY scene_id) sm ON sm.scene_id = s.id"
            : $"scenes s JOIN scene_models sm ON sm.scene_id = s.id AND sm.model_id = {m.Id}";
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
            dates, reader.GetInt64(6), reader.GetInt64(7));
    }

    /// <summary>Distinct UTC acquisition dates of scenes (inside the box and of the model, when given), ascending: the dates change detection compares.</summary>
    public async Task<IReadOnlyList<DateOnly>> GetAcquisitionDatesAsync(BoundingBox? bbox = null, string? model = null, CancellationToken ct = default)
    {
        var m = model is null ? null : await GetModelAsync(model, ct).ConfigureAwait(false);
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
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
            sql.Append($" AND EXISTS (SELECT 1 FROM embeddings e WHERE e.model_id = {m.Id} AND e.chip_id = c.id AND e.cell = c.cell)");
        }
        if (filter.Bbox is { } b)
        {
            sql.Append(" AND ST_Intersects(c.footprint, ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, 4326))");
            AddBbox(cmd, b);
            await AppendCellFilterAsync(sql, cmd, "c", ct).ConfigureAwait(false);
        }
        AppendTimeFilter(sql, cmd, "c", filter.Time);
        FilterSql.Append(sql, cmd, filter.Where, FilterColumns.Chips(null));
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

    private static SceneRecord ReadScene(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1),
        r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2),
        (AcquisitionSource)r.GetInt16(3),
        r.IsDBNull(4) ? null : ReadPolygon(r, 4),
        r.IsDBNull(5) ? null : r.GetString(5),
        r.GetInt32(6), r.GetInt32(7), r.GetInt32(8), r.GetInt64(9));

    private static ChipRecord ReadChip(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt16(3), r.GetInt32(4), r.GetInt32(5),
        new PixelWindow(r.GetInt32(6), r.GetInt32(7), r.GetInt32(8), r.GetInt32(9)),
        r.IsDBNull(10) ? null : ReadPolygon(r, 10),
        r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
        r.GetFloat(12));

    private static Polygon ReadPolygon(NpgsqlDataReader r, int ordinal) =>
        r.GetFieldValue<Geometry>(ordinal) as Polygon
        ?? throw new StoreException($"expected a polygon in column {r.GetName(ordinal)} of the catalog, found a {r.GetFieldValue<Geometry>(ordinal).GeometryType}");
}
