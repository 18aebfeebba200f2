using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Pgvector;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

public sealed partial class CatalogStore
{
    /// <summary>
    /// The top <see cref="SearchQuery.Limit"/> chips by cosine similarity (score = 1 - cosine distance)
    /// within the box and time range, after <see cref="SearchQuery.Offset"/>, at least
    /// <see cref="SearchQuery.MinScore"/>, without <see cref="SearchQuery.ExcludeChipIds"/>. Returns exactly
    /// min(limit, matches - offset) hits (before the min-score cut).
    /// </summary>
    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchQuery query, CancellationToken ct = default) =>
        (await SearchAsync(query, SearchPlan.Auto, ct).ConfigureAwait(false)).Hits;

    /// <summary>
    /// <see cref="SearchAsync(SearchQuery, CancellationToken)"/> with a chosen plan. Auto scans exactly when
    /// the estimated candidate count (from per-scene chip counts, footprint overlap and dates — PostgreSQL's
    /// own bbox estimate is several times too low) is at most <see cref="CatalogStoreOptions.ExactScanMaxCandidates"/>
    /// or the model has no index; otherwise it walks the HNSW index with relaxed-order iterative scans and
    /// falls back to an exact scan when the index yields fewer rows than asked for.
    /// </summary>
    public async Task<SearchResult> SearchAsync(SearchQuery query, SearchPlan plan, CancellationToken ct = default)
    {
        query = query.Validated();
        var model = await GetModelAsync(query.Model, ct).ConfigureAwait(false);
        if (query.Vector.Length != model.Dimension)
            throw new InputException($"the query vector has {query.Vector.Length} values but model '{model.Name}' has {model.Dimension}");
        foreach (var v in query.Vector)
            if (!float.IsFinite(v)) throw new InputException("the query vector contains NaN or infinity");

        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        var estimate = await EstimateAsync(conn, model, query.Bbox, query.Time, ct).ConfigureAwait(false);
        var wanted = query.Offset + query.Limit;
        var filtered = query.Bbox is not null || !query.Time.IsUnbounded || query.Where is not null;
        var chosen = plan switch
        {
            SearchPlan.Exact => SearchPlan.Exact,
            _ when !estimate.HasIndex => SearchPlan.Exact,
            SearchPlan.Index => SearchPlan.Index,
            _ when filtered && estimate.Candidates <= Options.ExactScanMaxCandidates => SearchPlan.Exact,
            _ => SearchPlan.Index,
        };

        List<(long Id, double Distance)> ranked;
        if (chosen == SearchPlan.Index)
        {
            // Relaxed order returns nearly sorted rows: fetch some extra, sort, cut.
            var fetch = wanted + Math.Max(10, wanted / 2);
            ranked = await IndexScanAsync(conn, model, query, fetch, estimate, ct).ConfigureAwait(false);
            if (ranked.Count < fetch)
            {
                // The index ran out (hnsw.max_scan_tuples) before enough rows passed the filter, or fewer
                // rows match at all: only an exact scan can tell, and it is cheap for such selective filters.
                chosen = SearchPlan.Exact;
                ranked = await ExactScanAsync(conn, model, query, wanted, ct).ConfigureAwait(false);
            }
        }
        else
        {
            ranked = await ExactScanAsync(conn, model, query, wanted, ct).ConfigureAwait(false);
        }

        ranked.Sort((a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Id.CompareTo(b.Id));
        var page = ranked.Skip(query.Offset).Take(query.Limit)
            .Where(r => query.MinScore is not { } min || 1 - r.Distance >= min)
            .ToList();
        var details = await LoadHitDetailsAsync(conn, page.Select(p => p.Id).ToArray(), ct).ConfigureAwait(false);
        var hits = new List<SearchHit>(page.Count);
        foreach (var (id, distance) in page)
        {
            if (!details.TryGetValue(id, out var c)) continue; // deleted between the two statements
            hits.Add(new SearchHit(id, 1 - distance, c.AcquiredAt, c.SceneId, c.SceneUri, c.Level, c.Window, c.Footprint));
        }
        return new SearchResult(hits, chosen, estimate.Candidates);
    }

    /// <summary>
    /// How many chips with an embedding of the query's model match its box and time range (and min score,
    /// which needs an exact pass), ignoring limit and offset: OGC numberMatched.
    /// </summary>
    public async Task<long> CountAsync(SearchQuery query, CancellationToken ct = default)
    {
        var model = await GetModelAsync(query.Model, ct).ConfigureAwait(false);
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        var sql = new StringBuilder($"SELECT count(*) FROM embeddings e JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell WHERE e.model_id = {model.Id}");
        await using var cmd = new NpgsqlCommand { Connection = conn };
        await AppendFiltersAsync(sql, cmd, query.Bbox, query.Time, query.ExcludeChipIds, ct).ConfigureAwait(false);
        FilterSql.Append(sql, cmd, query.Where, FilterColumns.Chips(Score(model)));
        if (query.Where is not null && query.MinScore is null)
            cmd.Parameters.AddWithValue("q", new Vector(query.Vector));
        if (query.MinScore is { } min)
        {
            if (query.Vector.Length != model.Dimension)
                throw new InputException($"the query vector has {query.Vector.Length} values but model '{model.Name}' has {model.Dimension}");
            sql.Append(CultureInfo.InvariantCulture, $" AND (e.{model.Column} <=> @q::{model.VectorType}) <= @maxdist");
            cmd.Parameters.AddWithValue("q", new Vector(query.Vector));
            cmd.Parameters.AddWithValue("maxdist", 1 - min);
        }
        cmd.CommandText = sql.ToString();
        return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    // ---- plans ----------------------------------------------------------------------------------

    private async Task<List<(long, double)>> ExactScanAsync(NpgsqlConnection conn, ModelInfo model, SearchQuery query, int wanted, CancellationToken ct)
    {
        // The distance is on the untyped column, which no HNSW index matches: the planner must compute it for
        // every candidate the filter leaves (found through the GiST / btree indexes of chips) and sort.
        var sql = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"SELECT e.chip_id, e.{model.Column} <=> @q::{model.VectorType} AS distance FROM embeddings e"));
        var filtered = query.Bbox is not null || !query.Time.IsUnbounded || query.Where is not null;
        if (filtered) sql.Append(" JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell");
        sql.Append(CultureInfo.InvariantCulture, $" WHERE e.model_id = {model.Id}");
        await using var cmd = new NpgsqlCommand { Connection = conn };
        await AppendFiltersAsync(sql, cmd, query.Bbox, query.Time, query.ExcludeChipIds, ct).ConfigureAwait(false);
        FilterSql.Append(sql, cmd, query.Where, FilterColumns.Chips(Score(model)));
        sql.Append(" ORDER BY distance, e.chip_id LIMIT @n");
        cmd.CommandText = sql.ToString();
        cmd.Parameters.AddWithValue("q", new Vector(query.Vector));
        cmd.Parameters.AddWithValue("n", wanted);
        return await ReadRankedAsync(cmd, ct).ConfigureAwait(false);
    }

    private async Task<List<(long, double)>> IndexScanAsync(NpgsqlConnection conn, ModelInfo model, SearchQuery query, int fetch, Estimate estimate, CancellationToken ct)
    {
        var efSearch = Math.Clamp(fetch * 4, Options.MinEfSearch, 1000);
        // Enough index tuples to find `fetch` rows that pass a filter of the estimated selectivity, with margin.
        var selectivity = estimate.Total > 0 ? Math.Clamp((double)estimate.Candidates / estimate.Total, 1e-6, 1) : 1;
        var maxScan = (long)Math.Clamp(fetch / selectivity * 4, 20_000, 2_000_000);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var set = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture, $"""
            SET LOCAL hnsw.iterative_scan = relaxed_order;
            SET LOCAL hnsw.ef_search = {efSearch};
            SET LOCAL hnsw.max_scan_tuples = {maxScan};
            SET LOCAL enable_sort = off;
            SET LOCAL enable_seqscan = off;
            """), conn, tx))
            await set.ExecuteNonQueryAsync(ct).ConfigureAwait(false);

        var sql = new StringBuilder($"SELECT e.chip_id, {model.DistanceTo("e", "@q")} AS distance FROM embeddings e");
        if (query.Bbox is not null || !query.Time.IsUnbounded || query.Where is not null) sql.Append(" JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell");
        sql.Append(CultureInfo.InvariantCulture, $" WHERE e.model_id = {model.Id}");
        await using var cmd = new NpgsqlCommand { Connection = conn, Transaction = tx };
        await AppendFiltersAsync(sql, cmd, query.Bbox, query.Time, query.ExcludeChipIds, ct).ConfigureAwait(false);
        FilterSql.Append(sql, cmd, query.Where, FilterColumns.Chips(Score(model)));
        sql.Append(" ORDER BY distance LIMIT @n");
        cmd.CommandText = sql.ToString();
        cmd.Parameters.AddWithValue("q", new Vector(query.Vector));
        cmd.Parameters.AddWithValue("n", fetch);
        var rows = await ReadRankedAsync(cmd, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return rows;
    }

    /// <summary>The score of a ranked query as filters see it (the query vector is @q).</summary>
    private static string Score(ModelInfo model) => $"(1 - (e.{model.Column} <=> @q::{model.VectorType}))";

    private static async Task<List<(long, double)>> ReadRankedAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var rows = new List<(long, double)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) rows.Add((reader.GetInt64(0), reader.GetDouble(1)));
        return rows;
    }

    /// <summary>Appends the acquisition-time condition on table <paramref name="alias"/> (either end may be open).</summary>
    internal static void AppendTimeFilter(StringBuilder sql, NpgsqlCommand cmd, string alias, TimeRange time)
    {
        if (time.From is { } from)
        {
            sql.Append($" AND {alias}.acquired_at >= @from");
            cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from.ToUniversalTime() });
        }
        if (time.To is { } to)
        {
            sql.Append($" AND {alias}.acquired_at <= @to");
            cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = to.ToUniversalTime() });
        }
    }

    /// <summary>Appends the bbox, time and exclusion conditions on chips c / embeddings e.</summary>
    private static async Task AppendFiltersAsync(StringBuilder sql, NpgsqlCommand cmd, BoundingBox? bbox, TimeRange time, IReadOnlyList<long>? exclude, CancellationToken ct)
    {
        if (bbox is { } b)
        {
            sql.Append(" AND ST_Intersects(c.footprint, ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, 4326))");
            AddBbox(cmd, b);
            await AppendCellFilterAsync(sql, cmd, "c", ct).ConfigureAwait(false);
        }
        AppendTimeFilter(sql, cmd, "c", time);
        if (exclude is { Count: > 0 })
        {
            sql.Append(" AND e.chip_id <> ALL(@exclude)");
            cmd.Parameters.Add(new NpgsqlParameter("exclude", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = exclude.ToArray() });
        }
    }

    private static void AddBbox(NpgsqlCommand cmd, BoundingBox b)
    {
        cmd.Parameters.AddWithValue("minx", b.MinX);
        cmd.Parameters.AddWithValue("miny", b.MinY);
        cmd.Parameters.AddWithValue("maxx", b.MaxX);
        cmd.Parameters.AddWithValue("maxy", b.MaxY);
    }

    // ---- candidate estimate ---------------------------------------------------------------------

    private readonly record struct Estimate(bool HasIndex, long Total, long Candidates);

    /// <summary>
    /// Chips of the model that pass the filter, estimated from scenes: each scene contributes its stored chip
    /// count times the fraction of its footprint inside the box, when its acquisition time is in range.
    /// Chips inherit their scene's time and lie inside its footprint, so this is close (the box edge cuts
    /// chips, which it counts by area), and it costs one look-up in the small scenes table.
    /// </summary>
    private async Task<Estimate> EstimateAsync(NpgsqlConnection conn, ModelInfo model, BoundingBox? bbox, TimeRange time, CancellationToken ct)
    {
        var where = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"sm.model_id = {model.Id}"));
        await using var cmd = new NpgsqlCommand { Connection = conn };
        var fraction = "1.0";
        if (bbox is { } b)
        {
            where.Append(" AND s.footprint && ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, 4326)");
            fraction = "coalesce(least(1.0, ST_Area(ST_Intersection(s.footprint, ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, 4326))) / nullif(ST_Area(s.footprint), 0)), 1.0)";
            AddBbox(cmd, b);
        }
        AppendTimeFilter(where, cmd, "s", time);
        cmd.CommandText = $"""
            SELECT to_regclass('{SchemaMigrator.Schema}.{model.IndexName}') IS NOT NULL,
                   (SELECT coalesce(sum(chip_count), 0)::bigint FROM scene_models WHERE model_id = {model.Id}),
                   (SELECT coalesce(ceil(sum(sm.chip_count * {fraction})), 0)::bigint
                    FROM scene_models sm JOIN scenes s ON s.id = sm.scene_id WHERE {where})
            """;
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return new Estimate(reader.GetBoolean(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
