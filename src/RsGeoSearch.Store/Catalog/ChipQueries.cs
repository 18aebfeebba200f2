using Npgsql;
using NpgsqlTypes;
using Pgvector;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Store;

/// <summary>
/// Reading chips: the ranked search (<see cref="SearchAsync"/>: the page of scored chips with their details, and the
/// count when asked, over one connection), the filtered listing, look-ups by id, stored embeddings, and the other
/// dates of a place. The SQL comes from <see cref="ChipSql"/>.
/// </summary>
public sealed class ChipQueries
{
    private readonly CatalogStore _store;

    internal ChipQueries(CatalogStore store) => _store = store;

    /// <summary>
    /// The chips of the filter ranked by cosine similarity to the query vector (score = 1 − cosine distance), ties by
    /// chip id: exactly min(limit, matches − offset) hits before the min-score cut. One connection: the first round
    /// trip estimates the candidates the filter leaves (from per-scene chip counts, footprint overlap and dates —
    /// PostgreSQL's own bbox estimate is several times too low) and finds the box's spatial cells; the second sends
    /// the count (when asked), the plan's settings and the ranked page with details as one command. Auto scans
    /// exactly when the estimate is at most <see cref="ExactScanMaxCandidates"/> or the model has no index;
    /// otherwise it reads the model's HNSW or IVFFlat index with relaxed-order iterative scans and falls back to an
    /// exact scan when the index yields fewer rows than asked for.
    /// </summary>
    public async Task<SearchResult> SearchAsync(SearchQuery query, SearchPlan plan = SearchPlan.Auto, SearchExtras extras = SearchExtras.None,
        CancellationToken ct = default)
    {
        query = query.Validated();
        var model = await _store.Models.GetAsync(query.Model, ct).ConfigureAwait(false);
        if (query.Vector.Length != model.Dimension)
            throw new InputException($"the query vector has {query.Vector.Length} values but model '{model.Name}' has {model.Dimension}");
        foreach (var v in query.Vector)
            if (!float.IsFinite(v)) throw new InputException("the query vector contains NaN or infinity");
        var options = _store.Options;
        var withCount = extras.HasFlag(SearchExtras.Count);
        var countStatement = withCount && !CountedByScenes(query);
        var withEmbeddings = extras.HasFlag(SearchExtras.Embeddings);

        return await _store.RunAsync(async conn =>
        {
            var estimate = await EstimateAsync(conn, model, query, ct).ConfigureAwait(false);
            var wanted = query.Offset + query.Limit;
            var fetch = IndexFetch(wanted);
            var chosen = plan switch
            {
                SearchPlan.Exact => SearchPlan.Exact,
                _ when !estimate.HasIndex => SearchPlan.Exact,
                SearchPlan.Index => SearchPlan.Index,
                _ when query.NarrowsChips && estimate.Candidates <= ExactScanMaxCandidates(options, fetch, estimate.Total, query.Bbox is not null) => SearchPlan.Exact,
                _ => SearchPlan.Index,
            };
            var serial = Serial(estimate.Candidates);
            if (chosen == SearchPlan.Exact)
            {
                var exact = await ReadPageAsync(conn, model, query, SearchPlan.Exact, wanted, estimate, serial, null, countStatement, withEmbeddings, ct).ConfigureAwait(false);
                return Result(exact, SearchPlan.Exact, exact.Count);
            }

            // Enough index tuples to find `fetch` rows that pass a filter of the estimated selectivity, with margin.
            var selectivity = estimate.Total > 0 ? Math.Clamp((double)estimate.Candidates / estimate.Total, 1e-6, 1) : 1;
            var settings = estimate.IvfLists is { } lists
                ? ChipSql.IvfSettings(IvfProbes(lists, wanted))
                : ChipSql.IndexSettings(EfSearch(options, wanted), (long)Math.Clamp(fetch / selectivity * 4, 20_000, 2_000_000));
            var page = await ReadPageAsync(conn, model, query, SearchPlan.Index, fetch, estimate, serial, settings, countStatement, withEmbeddings, ct).ConfigureAwait(false);
            if (page.Fetched >= fetch) return Result(page, SearchPlan.Index, page.Count);
            // The index ran out (hnsw.max_scan_tuples) before enough rows passed the filter, or fewer rows match at
            // all: only an exact scan can tell, and it is cheap for such selective filters.
            var fallback = await ReadPageAsync(conn, model, query, SearchPlan.Exact, wanted, estimate, serial, null, false, withEmbeddings, ct).ConfigureAwait(false);
            return Result(fallback, SearchPlan.Exact, page.Count);

            SearchResult Result(Page p, SearchPlan used, long? count) =>
                new(p.Hits.Where(h => query.MinScore is not { } min || h.Score >= min).ToList(), used, estimate.Candidates,
                    count ?? (withCount ? estimate.Candidates : null), p.Embeddings);
        }, ct).ConfigureAwait(false);
    }

    // The rules below come from the store benchmark's levers (docs/SCALING.md, "Search at 10^5 chips" and "Search at 10^6 chips").

    /// <summary>
    /// Rows the index plan fetches for a page ending at <paramref name="wanted"/>: relaxed-order scans return nearly
    /// sorted rows, so it takes four times as many (at least 40, at most 2,000 extra), sorts them exactly and cuts.
    /// The longer list is what lifted recall@10 (real set at 10^5, time 10 %: 0.94 → 0.99).
    /// </summary>
    internal static int IndexFetch(int wanted) => Math.Max(40, Math.Min(wanted * 4, wanted + 2000));

    /// <summary>hnsw.ef_search: 40 per wanted row within [MinEfSearch, 1000] (unfiltered real set at 10^5: ef 100 → 0.83, 400 → 0.95).</summary>
    internal static int EfSearch(CatalogStoreOptions options, int wanted) => Math.Clamp(40 * wanted, options.MinEfSearch, 1000);

    /// <summary>
    /// ivfflat.probes: a hundredth of the lists, at least 10, per 10 wanted rows, at most all lists (10^6 real chips,
    /// 1,000 lists: probes 5 → recall@10 0.93, 10 → 0.97, 20 → 1.00 unfiltered; with a time filter 0.90 / 0.96 / 1.00).
    /// </summary>
    internal static int IvfProbes(int lists, int wanted) => Math.Clamp(Math.Max(10, lists / 100) * ((wanted + 9) / 10), 1, Math.Max(1, lists));

    /// <summary>
    /// The exact plan wins while its cost (one distance per candidate, then a sort) stays below the index plan's (a
    /// graph walk that grows with the rows fetched and the catalogue): candidates² ≤ 5 · fetch · chips, measured at
    /// 10^5 and 10^6 (exact won at bbox 1 %), and never below <see cref="CatalogStoreOptions.ExactScanMaxCandidates"/>.
    /// A box raises it to 5 % of the chips or 50,000 candidates, whichever is more: chips of one place look alike, so
    /// their embeddings cluster and a graph walk meets a box's chips late (10^6 real chips, bbox 1 %: index p95 4.3 s
    /// against exact 215 ms; 10^5 real chips, the 3 of 100 bbox-1 % queries estimated above 5 %: index 230–240 ms
    /// against ~2.4 µs per candidate for the exact scan, i.e. 120 ms at 50,000).
    /// </summary>
    internal static long ExactScanMaxCandidates(CatalogStoreOptions options, int fetch, long chips, bool spatial = false) =>
        Math.Max(Math.Max(options.ExactScanMaxCandidates, (long)Math.Sqrt(5.0 * fetch * Math.Max(0, chips))), spatial ? Math.Max(chips / 20, 50_000) : 0);

    /// <summary>
    /// Whether the estimate's candidates are the exact count of the chips that pass, so no count statement is needed:
    /// without a box, property filter, exclusions or min score they are the embeddings of the scenes in the time range
    /// (a chip carries its scene's acquisition time), and scene_models counts a scene's embeddings in the transaction
    /// that writes them. It spares the commonest search, a text without a box, a count that joins every embedding to
    /// its chip (10^6 chips: 1.4–2.8 s; one year of them, 111,500: 0.2–0.3 s).
    /// </summary>
    internal static bool CountedByScenes(SearchQuery query) =>
        query.Bbox is null && query.Where is null && query.ExcludeChipIds is not { Count: > 0 } && query.MinScore is null;

    /// <summary>
    /// Below this many candidates a search runs without parallel workers: each worker is a new server process that
    /// loads PostGIS and pgvector before it reads a row, ~40 ms here. 10^6 real chips on 2 cores: a box of ~10,000
    /// candidates took 102 ms with 2 workers, 58 ms with 1, 24 ms with none; a time range of ~93,000 candidates
    /// 340–450 ms with 2 workers against 780–890 ms with none.
    /// </summary>
    internal const long ParallelMinCandidates = 30_000;

    /// <summary>The setting that turns parallel workers off for a search of <paramref name="candidates"/> (null: leave them on).</summary>
    internal static string? Serial(long candidates) => candidates < ParallelMinCandidates ? ChipSql.NoParallelWorkers : null;

    private sealed record Page(List<ScoredChip> Hits, long Fetched, long? Count, Dictionary<long, float[]>? Embeddings);

    private readonly record struct Estimate(bool HasIndex, long Total, long Candidates, int[]? Cells, int? IvfLists);

    private static async Task<Estimate> EstimateAsync(NpgsqlConnection conn, ModelInfo model, ChipFilter filter, CancellationToken ct)
    {
        var p = new SqlParameters();
        await using var cmd = p.Command(ChipSql.Estimate(model, filter, p), conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return new Estimate(reader.GetBoolean(0), reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<int[]>(3),
            reader.IsDBNull(4) ? null : reader.GetInt32(4));
    }

    /// <summary>
    /// One command, in a transaction when it changes settings: <paramref name="serial"/>, the count (before the plan's
    /// <paramref name="settings"/>, which would distort its plan), the settings, the page.
    /// </summary>
    private static async Task<Page> ReadPageAsync(NpgsqlConnection conn, ModelInfo model, SearchQuery query, SearchPlan plan, int fetch,
        Estimate estimate, string? serial, string? settings, bool withCount, bool withEmbeddings, CancellationToken ct)
    {
        var p = new SqlParameters();
        var statements = new List<string>();
        if (serial is not null) statements.Add(serial);
        if (withCount) statements.Add(ChipSql.Count(model, query, estimate.Cells, p));
        if (settings is not null) statements.Add(settings);
        statements.Add(ChipSql.Search(model, query, plan, fetch, estimate.Cells, withEmbeddings, p));
        await using var tx = serial is not null || settings is not null ? await conn.BeginTransactionAsync(ct).ConfigureAwait(false) : null;
        long? count = null;
        var hits = new List<ScoredChip>();
        var embeddings = withEmbeddings ? new Dictionary<long, float[]>() : null;
        var fetched = 0;
        await using (var cmd = p.Command(string.Join(";\n", statements), conn, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await SkipToRowsAsync(reader, ct).ConfigureAwait(false);
            if (withCount)
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                count = reader.GetInt64(0);
                await reader.NextResultAsync(ct).ConfigureAwait(false);
                await SkipToRowsAsync(reader, ct).ConfigureAwait(false);
            }
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                if (fetched++ < query.Offset || hits.Count >= query.Limit) continue;
                var chip = Rows.ReadChip(reader);
                hits.Add(new ScoredChip(chip, 1 - reader.GetDouble(ChipSql.ChipColumnCount)));
                if (embeddings is not null) embeddings[chip.Id] = reader.GetFieldValue<Vector>(ChipSql.ChipColumnCount + 1).ToArray();
            }
        }
        if (tx is not null) await tx.CommitAsync(ct).ConfigureAwait(false);
        return new Page(hits, fetched, count, embeddings);
    }

    /// <summary>Moves past statements that return no rows (SET).</summary>
    private static async Task SkipToRowsAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        while (reader.FieldCount == 0 && await reader.NextResultAsync(ct).ConfigureAwait(false)) { }
    }

    /// <summary>
    /// One page of the chips of the filter (with an embedding of its model) ordered by <paramref name="sortBy"/>
    /// then id, and how many pass the filter: the feature listing of OGC API Features when no text query ranks them.
    /// </summary>
    public async Task<(IReadOnlyList<ChipRecord> Items, long NumberMatched)> ListAsync(ChipFilter filter, int limit, int offset = 0,
        IReadOnlyList<SortClause>? sortBy = null, CancellationToken ct = default)
    {
        CatalogQuery.CheckRange(limit, 1, CatalogQuery.MaxLimit, "limit");
        CatalogQuery.CheckRange(offset, 0, CatalogQuery.MaxOffset, "offset");
        var model = await _store.Models.GetAsync(filter.Model, ct).ConfigureAwait(false);
        return await _store.RunAsync<(IReadOnlyList<ChipRecord>, long)>(async conn =>
        {
            var cells = filter.Bbox is { } b ? await CellsAsync(conn, b, ct).ConfigureAwait(false) : null;
            var p = new SqlParameters();
            await using var cmd = p.Command(ChipSql.List(model, filter, cells, limit, offset, sortBy, p), conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var items = await Rows.ReadAllAsync(reader, Rows.ReadChip, ct).ConfigureAwait(false);
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            return (items, reader.GetInt64(0));
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The spatial cells of the scenes meeting the box, looked up first and sent as constants: on a Citus cluster,
    /// where chips and embeddings are distributed by cell, they let the coordinator send the query only to the shards
    /// holding those cells (scenes is a reference table there, so the look-up stays on the coordinator).
    /// </summary>
    private static async Task<int[]> CellsAsync(NpgsqlConnection conn, BoundingBox bbox, CancellationToken ct)
    {
        var p = new SqlParameters();
        await using var cmd = p.Command(ChipSql.Cells(bbox, p), conn);
        return (int[])(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>One chip with its scene's uri, level and pixel window (what a thumbnail needs); null when absent.</summary>
    public async Task<ChipRecord?> GetAsync(long chipId, CancellationToken ct = default) =>
        (await GetManyAsync([chipId], ct).ConfigureAwait(false)).FirstOrDefault();

    /// <summary>The chips of these ids that exist, in id order.</summary>
    public async Task<IReadOnlyList<ChipRecord>> GetManyAsync(IReadOnlyCollection<long> chipIds, CancellationToken ct = default)
    {
        if (chipIds.Count == 0) return [];
        return await _store.RunAsync(async conn =>
        {
            var p = new SqlParameters();
            await using var cmd = p.Command(ChipSql.ChipsById(p, chipIds.ToArray()), conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await Rows.ReadAllAsync(reader, Rows.ReadChip, ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>The stored embeddings of these chips under the model (chips without one are left out): for like / unlike.</summary>
    public async Task<IReadOnlyDictionary<long, float[]>> GetEmbeddingsAsync(string model, IReadOnlyCollection<long> chipIds, CancellationToken ct = default)
    {
        var m = await _store.Models.GetAsync(model, ct).ConfigureAwait(false);
        if (chipIds.Count == 0) return new Dictionary<long, float[]>();
        return await _store.RunAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand($"SELECT chip_id, {m.Column}::vector FROM embeddings WHERE model_id = {m.Id} AND chip_id = ANY(@ids)", conn);
            cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = chipIds.ToArray() });
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var result = new Dictionary<long, float[]>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) result[reader.GetInt64(0)] = reader.GetFieldValue<Vector>(1).ToArray();
            return result;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// For each chip in <paramref name="chipIds"/>, the chips of other scenes that show the same place — footprints
    /// overlapping with IoU ≥ <paramref name="minIoU"/> (the same grid cell of a scene on the same grid has IoU ≈ 1) —
    /// inside the time range, with their acquisition time, cosine to <paramref name="vector"/> under
    /// <paramref name="model"/> and, when asked, their embedding: the other dates of a place in a grouped search.
    /// </summary>
    public async Task<IReadOnlyList<PlaceChip>> GetPlaceChipsAsync(string model, IReadOnlyCollection<long> chipIds, float[] vector, double minIoU, TimeRange time,
        bool withEmbeddings = false, CancellationToken ct = default)
    {
        if (chipIds.Count == 0) return [];
        var m = await _store.Models.GetAsync(model, ct).ConfigureAwait(false);
        var p = new SqlParameters();
        // The given chips first, materialized: on Citus a join of chips with chips on their footprints (not the
        // distribution column) cannot be planned, but a join of an intermediate result with the shards can.
        var sql = $"""
            WITH a AS MATERIALIZED (SELECT id, scene_id, footprint FROM chips WHERE id = ANY({p.Add("ids", chipIds.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint)}))
            SELECT a.id, b.id, b.acquired_at, 1 - (e.{m.Column} <=> {p.Add("q", new Vector(vector))}::{m.VectorType}){(withEmbeddings ? $", e.{m.Column}::vector" : "")}
            FROM a
            JOIN chips b ON b.footprint && a.footprint AND b.scene_id <> a.scene_id
            JOIN embeddings e ON e.chip_id = b.id AND e.cell = b.cell AND e.model_id = {m.Id}
            WHERE ST_Area(ST_Intersection(a.footprint, b.footprint)) >= {p.Add("iou", minIoU)} * nullif(ST_Area(ST_Union(a.footprint, b.footprint)), 0)
              {ChipSql.Time("b", time, p)}
            ORDER BY a.id, b.acquired_at, b.id
            """;
        return await _store.RunAsync(async conn =>
        {
            await using var cmd = p.Command(sql, conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await Rows.ReadAllAsync(reader, r => new PlaceChip(r.GetInt64(0), r.GetInt64(1),
                r.IsDBNull(2) ? null : r.GetFieldValue<DateTimeOffset>(2), r.GetDouble(3),
                withEmbeddings ? r.GetFieldValue<Vector>(4).ToArray() : null), ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
    }
}

/// <summary>A chip <see cref="ChipId"/> showing the same place as <see cref="OfChipId"/> on another date, its score and (when asked) its embedding.</summary>
public sealed record PlaceChip(long OfChipId, long ChipId, DateTimeOffset? AcquiredAt, double Score, float[]? Embedding = null);
