using System.Text;
using Npgsql;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Store;

/// <summary>Reading scenes: the filtered listing, look-up by id, the catalogue's extent and its acquisition dates.</summary>
public sealed class SceneQueries
{
    private const string SceneColumns = """
        s.id, s.uri, s.acquired_at, s.acquired_source, s.footprint, s.crs, s.width, s.height, s.bands,
        coalesce((SELECT max(sm.chip_count) FROM scene_models sm WHERE sm.scene_id = s.id), 0)::bigint
        """;

    private readonly CatalogStore _store;

    internal SceneQueries(CatalogStore store) => _store = store;

    /// <summary>
    /// Scenes intersecting the box and acquired within the range, by id, one page of them, and how many match
    /// in all. ChipCount is the stored chip count (the largest over models).
    /// </summary>
    public async Task<(IReadOnlyList<SceneRecord> Items, long NumberMatched)> ListAsync(
        BoundingBox? bbox = null, TimeRange time = default, int limit = 1000, int offset = 0, CancellationToken ct = default,
        FilterNode? where = null, IReadOnlyList<SortClause>? sortBy = null)
    {
        if (limit < 1 || limit > SearchQuery.MaxLimit) throw new InputException($"limit {limit} must be between 1 and {SearchQuery.MaxLimit}");
        if (offset < 0) throw new InputException($"offset {offset} must not be negative");
        var p = new SqlParameters();
        var conditions = new StringBuilder(" WHERE true");
        if (bbox is { } b) conditions.Append(ChipSql.Intersects("s.footprint", b, p));
        conditions.Append(ChipSql.Time("s", time, p));
        if (where is not null) conditions.Append(" AND ").Append(FilterSql.Where(where, FilterColumns.Scenes, p.List));
        var sql = $"""
            SELECT {SceneColumns} FROM scenes s{conditions} ORDER BY {FilterSql.OrderBy(sortBy, FilterColumns.Scenes)}
            LIMIT {p.Add("limit", limit)} OFFSET {p.Add("offset", (long)offset)};
            SELECT count(*) FROM scenes s{conditions}
            """;
        return await _store.RunAsync<(IReadOnlyList<SceneRecord>, long)>(async conn =>
        {
            await using var cmd = p.Command(sql, conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = await Rows.ReadAllAsync(reader, Rows.ReadScene, ct).ConfigureAwait(false);
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            return (list, reader.GetInt64(0));
        }, ct).ConfigureAwait(false);
    }

    /// <summary>One scene, or null when absent.</summary>
    public Task<SceneRecord?> GetAsync(long sceneId, CancellationToken ct = default) =>
        _store.RunAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand($"SELECT {SceneColumns} FROM scenes s WHERE s.id = @id", conn);
            cmd.Parameters.AddWithValue("id", sceneId);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? Rows.ReadScene(reader) : null;
        }, ct);

    /// <summary>
    /// Where and when there is imagery (of the model, when given): the box around scene footprints (chips lie
    /// inside them), the earliest and latest acquisition, the distinct acquisition days, and scene and chip counts.
    /// </summary>
    public async Task<CatalogExtent> GetExtentAsync(string? model = null, CancellationToken ct = default)
    {
        var m = model is null ? null : await _store.Models.GetAsync(model, ct).ConfigureAwait(false);
        var dates = await GetAcquisitionDatesAsync(null, model, ct).ConfigureAwait(false);
        var from = m is null
            ? "scenes s LEFT JOIN (SELECT scene_id, max(chip_count) AS chip_count FROM scene_models GROUP BY scene_id) sm ON sm.scene_id = s.id"
            : $"scenes s JOIN scene_models sm ON sm.scene_id = s.id AND sm.model_id = {m.Id}";
        return await _store.RunAsync(async conn =>
        {
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
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Distinct UTC acquisition dates of scenes (inside the box and of the model, when given), ascending: the dates change detection compares.</summary>
    public async Task<IReadOnlyList<DateOnly>> GetAcquisitionDatesAsync(BoundingBox? bbox = null, string? model = null, CancellationToken ct = default)
    {
        var m = model is null ? null : await _store.Models.GetAsync(model, ct).ConfigureAwait(false);
        var p = new SqlParameters();
        var sql = new StringBuilder("SELECT DISTINCT (s.acquired_at AT TIME ZONE 'UTC')::date FROM scenes s");
        if (m is not null) sql.Append($" JOIN scene_models sm ON sm.scene_id = s.id AND sm.model_id = {m.Id}");
        sql.Append(" WHERE s.acquired_at IS NOT NULL");
        if (bbox is { } b) sql.Append(ChipSql.Intersects("s.footprint", b, p));
        sql.Append(" ORDER BY 1");
        return await _store.RunAsync(async conn =>
        {
            await using var cmd = p.Command(sql.ToString(), conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await Rows.ReadAllAsync(reader, r => r.GetFieldValue<DateOnly>(0), ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }
}
