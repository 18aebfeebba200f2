using System.Globalization;
using System.Text;
using NpgsqlTypes;
using Pgvector;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Store;

/// <summary>
/// The SQL of the chip and scene queries, built by pure functions (no connection; tests read the text): the filter
/// clause — box with spatial-cell pruning, time, exclusions, the CQL2/FES property filter — is written once here
/// (<see cref="Filter"/>) and used by the ranked page, the count and the listing. Chips are aliased c, embeddings e,
/// scenes s; the query vector is @q.
/// </summary>
public static class ChipSql
{
    /// <summary>The columns <see cref="Rows.ReadChip"/> reads, first in every chip row.</summary>
    public const string ChipColumns = """
        c.id, c.scene_id, s.uri, c.level, c.col, c."row", c.px_x, c.px_y, c.px_width, c.px_height,
        c.footprint, c.acquired_at, c.nodata_fraction
        """;

    /// <summary>How many <see cref="ChipColumns"/> there are: the ordinal of the first column after them.</summary>
    public const int ChipColumnCount = 13;

    /// <summary>The box as a PostGIS envelope in EPSG:4326 (binds @minx, @miny, @maxx, @maxy).</summary>
    public static string Envelope(BoundingBox b, SqlParameters p) =>
        $"ST_MakeEnvelope({p.Add("minx", b.MinX)}, {p.Add("miny", b.MinY)}, {p.Add("maxx", b.MaxX)}, {p.Add("maxy", b.MaxY)}, 4326)";

    /// <summary>" AND column meets the box".</summary>
    public static string Intersects(string column, BoundingBox b, SqlParameters p) => $" AND ST_Intersects({column}, {Envelope(b, p)})";

    /// <summary>" AND alias.acquired_at within the range" (either end may be open; nothing for an unbounded range).</summary>
    public static string Time(string alias, TimeRange time, SqlParameters p)
    {
        var sql = new StringBuilder();
        if (time.From is { } from) sql.Append($" AND {alias}.acquired_at >= {p.Add("from", from.ToUniversalTime(), NpgsqlDbType.TimestampTz)}");
        if (time.To is { } to) sql.Append($" AND {alias}.acquired_at <= {p.Add("to", to.ToUniversalTime(), NpgsqlDbType.TimestampTz)}");
        return sql.ToString();
    }

    /// <summary>
    /// The filter clause on chips c and embeddings e (" AND ..." conditions): the box, and with it the spatial
    /// <paramref name="cells"/> of the scenes that meet it (sent as constants so Citus prunes shards; null: no
    /// pruning), the time range, the excluded chips, the property filter (its <c>score</c> is
    /// <paramref name="scoreSql"/>, null when nothing ranks the chips).
    /// </summary>
    public static string Filter(ChipFilter filter, int[]? cells, string? scoreSql, SqlParameters p)
    {
        var sql = new StringBuilder();
        if (filter.Bbox is { } b)
        {
            sql.Append(Intersects("c.footprint", b, p));
            if (cells is not null) sql.Append($" AND c.cell = ANY({p.Add("cells", cells, NpgsqlDbType.Array | NpgsqlDbType.Integer)})");
        }
        sql.Append(Time("c", filter.Time, p));
        if (filter.ExcludeChipIds is { Count: > 0 } exclude)
            sql.Append($" AND e.chip_id <> ALL({p.Add("exclude", exclude.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint)})");
        if (filter.Where is { } where) sql.Append(" AND ").Append(FilterSql.Where(where, FilterColumns.Chips(scoreSql), p.List));
        return sql.ToString();
    }

    /// <summary>
    /// One statement: whether the model's vector index exists, its stored embeddings, the chips the filter's box and
    /// time leave (estimated from scenes: each scene's chip count times the share of its footprint inside the box,
    /// when its acquisition time is in range — one look-up in the small scenes table), with a box the spatial cells
    /// of the scenes meeting it, and the lists of an IVFFlat index.
    /// </summary>
    public static string Estimate(ModelInfo model, ChipFilter filter, SqlParameters p)
    {
        var where = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"sm.model_id = {model.Id}"));
        var fraction = "1.0";
        var cells = "NULL::int[]";
        if (filter.Bbox is { } b)
        {
            var envelope = Envelope(b, p);
            where.Append($" AND s.footprint && {envelope}");
            fraction = $"coalesce(least(1.0, ST_Area(ST_Intersection(s.footprint, {envelope})) / nullif(ST_Area(s.footprint), 0)), 1.0)";
            cells = $"(SELECT coalesce(array_agg(DISTINCT s.cell), '{{}}') FROM scenes s WHERE s.footprint && {envelope})";
        }
        where.Append(Time("s", filter.Time, p));
        return $"""
            SELECT to_regclass('{SchemaMigrator.Schema}.{model.IndexName}') IS NOT NULL,
                   (SELECT coalesce(sum(chip_count), 0)::bigint FROM scene_models WHERE model_id = {model.Id}),
                   (SELECT coalesce(ceil(sum(sm.chip_count * {fraction})), 0)::bigint
                    FROM scene_models sm JOIN scenes s ON s.id = sm.scene_id WHERE {where}),
                   {cells},
                   ({IvfLists(model)})
            """;
    }

    /// <summary>The lists of the model's IVFFlat index (one int row), none when it has no such index.</summary>
    public static string IvfLists(ModelInfo model) => model.VectorIndex != VectorIndexKind.IvfFlat
        ? "SELECT NULL::int"
        : $"SELECT option_value::int FROM pg_class c, pg_options_to_table(c.reloptions) WHERE c.oid = to_regclass('{SchemaMigrator.Schema}.{model.IndexName}') AND option_name = 'lists'";

    /// <summary>The score of a ranked query as property filters see it.</summary>
    public static string Score(ModelInfo model) => $"(1 - (e.{model.Column} <=> @q::{model.VectorType}))";

    /// <summary>
    /// The ranked rows with each chip's details in one statement: the nearest <paramref name="fetch"/> embeddings
    /// (exact: distances to every candidate, sorted, ties by chip id; index: the model's HNSW or IVFFlat index, whose
    /// distance expression it matches, nearly sorted), joined to chips and scenes, sorted by distance then chip id (the
    /// caller cuts the page at query.Offset: an index plan that returns fewer than <paramref name="fetch"/> rows ran out, and
    /// no window function or OFFSET keeps Citus from planning the join). Columns: <see cref="ChipColumns"/>, distance
    /// and, with <paramref name="embeddings"/>, the chip's embedding (as vector).
    /// </summary>
    public static string Search(ModelInfo model, SearchQuery query, SearchPlan plan, int fetch, int[]? cells, bool embeddings, SqlParameters p)
    {
        if (plan is not (SearchPlan.Exact or SearchPlan.Index)) throw new ArgumentOutOfRangeException(nameof(plan), "a statement is for the exact or the index plan");
        p.Add("q", new Vector(query.Vector));
        // Exact: the distance on the untyped column, which no vector index matches, so the planner computes it for
        // every candidate the filter leaves (found through the GiST / btree indexes of chips) and sorts.
        var distance = plan == SearchPlan.Index ? model.DistanceTo("e", "@q") : $"e.{model.Column} <=> @q::{model.VectorType}";
        var join = query.NarrowsChips ? " JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell" : "";
        var order = plan == SearchPlan.Index ? "distance" : "distance, e.chip_id";
        var embedding = embeddings ? $", e.{model.Column}::vector" : "";
        var embeddingJoin = embeddings ? $" JOIN embeddings e ON e.chip_id = r.chip_id AND e.cell = r.cell AND e.model_id = {model.Id}" : "";
        return string.Create(CultureInfo.InvariantCulture, $"""
            SELECT {ChipColumns}, r.distance{embedding}
            FROM (SELECT e.chip_id, e.cell, {distance} AS distance FROM embeddings e{join}
                  WHERE e.model_id = {model.Id}{Filter(query, cells, Score(model), p)}
                  ORDER BY {order} LIMIT {p.Add("n", fetch)}) r
            JOIN chips c ON c.id = r.chip_id AND c.cell = r.cell
            JOIN scenes s ON s.id = c.scene_id{embeddingJoin}
            ORDER BY r.distance, c.id
            """);
    }

    /// <summary>No parallel workers for the rest of the transaction (ChipQueries.Serial says when).</summary>
    public const string NoParallelWorkers = "SET LOCAL max_parallel_workers_per_gather = 0";

    /// <summary>Settings of the index plan on an HNSW index, to run in the same transaction before <see cref="Search"/>.</summary>
    public static string IndexSettings(int efSearch, long maxScanTuples) => string.Create(CultureInfo.InvariantCulture, $"""
        SET LOCAL hnsw.iterative_scan = relaxed_order;
        SET LOCAL hnsw.ef_search = {efSearch};
        SET LOCAL hnsw.max_scan_tuples = {maxScanTuples};
        SET LOCAL enable_sort = off;
        SET LOCAL enable_seqscan = off
        """);

    /// <summary>Settings of the index plan on an IVFFlat index, to run in the same transaction before <see cref="Search"/>.</summary>
    public static string IvfSettings(int probes) => string.Create(CultureInfo.InvariantCulture, $"""
        SET LOCAL ivfflat.iterative_scan = relaxed_order;
        SET LOCAL ivfflat.probes = {probes};
        SET LOCAL enable_sort = off;
        SET LOCAL enable_seqscan = off
        """);

    /// <summary>
    /// How many chips with an embedding of the model pass the filter (and the min score, which needs every
    /// distance), ignoring limit and offset: OGC numberMatched of a ranked search.
    /// </summary>
    public static string Count(ModelInfo model, SearchQuery query, int[]? cells, SqlParameters p)
    {
        p.Add("q", new Vector(query.Vector));
        var sql = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"SELECT count(*) FROM embeddings e JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell WHERE e.model_id = {model.Id}"));
        sql.Append(Filter(query, cells, Score(model), p));
        if (query.MinScore is { } min)
            sql.Append(CultureInfo.InvariantCulture, $" AND (e.{model.Column} <=> @q::{model.VectorType}) <= {p.Add("maxdist", 1 - min)}");
        return sql.ToString();
    }

    /// <summary>
    /// Two statements: one page of the chips that pass the filter ordered by <paramref name="sortBy"/> then id, and
    /// how many pass it (OGC numberMatched of a listing).
    /// </summary>
    public static string List(ModelInfo model, ChipFilter filter, int[]? cells, int limit, int offset, IReadOnlyList<SortClause>? sortBy, SqlParameters p)
    {
        var from = string.Create(CultureInfo.InvariantCulture,
            $"FROM chips c JOIN embeddings e ON e.chip_id = c.id AND e.cell = c.cell AND e.model_id = {model.Id}");
        var where = "WHERE true" + Filter(filter, cells, null, p);
        return $"""
            SELECT {ChipColumns} {from} JOIN scenes s ON s.id = c.scene_id {where}
            ORDER BY {FilterSql.OrderBy(sortBy, FilterColumns.Chips(null))} LIMIT {p.Add("limit", limit)} OFFSET {p.Add("offset", (long)offset)};
            SELECT count(*) {from} {where}
            """;
    }

    /// <summary>The spatial cells of the scenes whose footprint meets the box (a chip lies inside its scene's footprint and carries its cell).</summary>
    public static string Cells(BoundingBox bbox, SqlParameters p) =>
        $"SELECT coalesce(array_agg(DISTINCT s.cell), '{{}}') FROM scenes s WHERE s.footprint && {Envelope(bbox, p)}";

    /// <summary>Chips of these ids (@ids) with their details.</summary>
    public static string ChipsById(SqlParameters p, long[] ids) =>
        $"SELECT {ChipColumns} FROM chips c JOIN scenes s ON s.id = c.scene_id WHERE c.id = ANY({p.Add("ids", ids, NpgsqlDbType.Array | NpgsqlDbType.Bigint)}) ORDER BY c.id";
}
