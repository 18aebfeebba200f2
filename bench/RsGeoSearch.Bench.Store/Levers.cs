using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using RsGeoSearch.Core;
using RsGeoSearch.Store;

namespace RsGeoSearch.Bench.Store;

/// <summary>
/// Search levers measured on the same queries as raw-SQL variants of the store's index plan (one connection and
/// transaction per query, like the store), in groups: <c>hnsw</c> — hnsw.ef_search, relaxed vs strict iterative scans,
/// hnsw.max_scan_tuples, halfvec candidates re-ranked by the float distance; <c>ivf</c> — candidates from an IVFFlat
/// index (lists = chips / 1000) at several probes, re-ranked; <c>years</c> — the embeddings copied into a table
/// partitioned by acquisition year (undated chips in the default partition) with an HNSW graph per partition, the
/// partitions' candidates merged and re-ranked; and always the exact plan's cost per filter candidate, which is what a
/// cost-based choice between the plans needs. No variant falls back to the exact plan: "k rows" shows how often it
/// came back short.
/// </summary>
internal static class Levers
{
    private const int MaxQueries = 100, MaxFilteredQueries = 40;

    /// <summary>Below this many estimated candidates only the exact plan is measured (an index walk cannot compete).</summary>
    private const double IndexVariantsMinCandidates = 300;

    public static readonly string[] Groups = ["hnsw", "ivf", "years"];

    private enum Source { Float, Half, Ivf, Years }

    private sealed record Variant(string Group, string Name, string Mode, int EfSearch, long? MaxScanTuples, Source Candidates = Source.Float, int Probes = 0);

    private static readonly Variant[] Variants =
    [
        new("hnsw", "relaxed ef=40", "relaxed_order", 40, null),
        new("hnsw", "relaxed ef=100 (store)", "relaxed_order", 100, null),
        new("hnsw", "relaxed ef=200", "relaxed_order", 200, null),
        new("hnsw", "relaxed ef=400", "relaxed_order", 400, null),
        new("hnsw", "relaxed ef=800", "relaxed_order", 800, null),
        new("hnsw", "relaxed ef=100 mst=20k", "relaxed_order", 100, 20_000),
        new("hnsw", "strict ef=100", "strict_order", 100, null),
        new("hnsw", "strict ef=400", "strict_order", 400, null),
        new("hnsw", "halfvec ef=100 +rerank", "relaxed_order", 100, null, Source.Half),
        new("hnsw", "halfvec ef=400 +rerank", "relaxed_order", 400, null, Source.Half),
        new("ivf", "ivfflat probes=5 +rerank", "relaxed_order", 0, null, Source.Ivf, 5),
        new("ivf", "ivfflat probes=10 +rerank", "relaxed_order", 0, null, Source.Ivf, 10),
        new("ivf", "ivfflat probes=20 +rerank", "relaxed_order", 0, null, Source.Ivf, 20),
        new("ivf", "ivfflat probes=40 +rerank", "relaxed_order", 0, null, Source.Ivf, 40),
        new("ivf", "ivfflat probes=80 +rerank", "relaxed_order", 0, null, Source.Ivf, 80),
        new("years", "years ef=40 +rerank", "relaxed_order", 40, null, Source.Years),
        new("years", "years ef=100 +rerank", "relaxed_order", 100, null, Source.Years),
        new("years", "years ef=200 +rerank", "relaxed_order", 200, null, Source.Years),
    ];

    public static async Task RunAsync(CatalogStore store, ModelInfo model, long chips, IReadOnlyCollection<string> groups,
        IReadOnlyList<(string Name, List<SearchQuery> Queries, List<List<long>> Truth, List<long> Candidates)> cases)
    {
        var sw = Stopwatch.StartNew();
        foreach (var group in groups)
        {
            sw.Restart();
            await ExecuteAsync(store, Setup(group, model, chips, store.Options, await YearsAsync(store)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"levers, {model.Name}: {group} candidates ready in {sw.Elapsed.TotalSeconds:F0} s; load average {Load()}"));
        }
        Console.WriteLine($"{"case",-20} {"variant",-24} {"p50 ms",8} {"p95 ms",8} {"recall@10",9} {"k rows",9}");

        foreach (var (name, queries, truth, candidates) in cases)
        {
            var n = Math.Min(queries[0].Bbox is null && queries[0].Time.IsUnbounded ? MaxQueries : MaxFilteredQueries, queries.Count);
            // Exact plan cost per candidate: the same statement as the store's exact plan.
            var exactMs = new List<double>();
            for (var i = 0; i < n; i++)
            {
                var t = Stopwatch.GetTimestamp();
                await RunAsync(store, model, queries[i], null);
                exactMs.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
            var meanCandidates = candidates.Take(n).Average();
            var exactP50 = PlanStats.Percentile(exactMs, 50);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-20} {"exact",-24} {exactP50,8:F2} {PlanStats.Percentile(exactMs, 95),8:F2} {1.0,9:F3} {n,4}/{n,-4}  candidates ~{meanCandidates:F0} ({meanCandidates / chips:P2}); {1000 * exactP50 / Math.Max(1, meanCandidates):F2} µs per candidate"));
            if (meanCandidates < IndexVariantsMinCandidates)
            {
                Console.WriteLine($"{"",-20} (index variants skipped: fewer than {IndexVariantsMinCandidates} candidates)");
                continue;
            }
            foreach (var v in Variants.Where(v => groups.Contains(v.Group)))
            {
                var stats = new PlanStats(v.Name);
                for (var i = 0; i < n; i++)
                {
                    var t = Stopwatch.GetTimestamp();
                    var ids = await RunAsync(store, model, queries[i], v, selectivity: Math.Clamp(candidates[i] / (double)chips, 1e-6, 1));
                    stats.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds, ids, truth[i], "index");
                }
                var r = stats.Result("", name);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{"",-20} {v.Name,-24} {r.P50,8:F2} {r.P95,8:F2} {r.Recall,9:F3} {r.Full,4}/{r.Queries,-4}"));
            }
        }
        Console.WriteLine($"load average {Load()}");
    }

    private static string HalfIndex(ModelInfo m) => $"bench_half_m{m.Id}";

    private static string IvfIndex(ModelInfo m) => $"bench_ivf_m{m.Id}";

    private static string YearsTable(ModelInfo m) => $"bench_years_m{m.Id}";

    /// <summary>The acquisition years the catalogue holds (one partition each in the years lever).</summary>
    private static async Task<(int First, int Last)> YearsAsync(CatalogStore store)
    {
        await using var conn = await store.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("SELECT extract(year FROM min(acquired_at))::int, extract(year FROM max(acquired_at))::int FROM chips", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return r.IsDBNull(0) ? (2000, 2000) : (r.GetInt32(0), r.GetInt32(1));
    }

    /// <summary>The candidate structure of a lever group, built once per catalogue (IF NOT EXISTS).</summary>
    private static string Setup(string group, ModelInfo m, long chips, CatalogStoreOptions o, (int First, int Last) years)
    {
        var d = m.Dimension;
        var with = string.Create(CultureInfo.InvariantCulture, $"WITH (m = {o.HnswM}, ef_construction = {o.HnswEfConstruction})");
        switch (group)
        {
            case "hnsw": // an expression index over the float column cast to halfvec (what a store would keep next to, or instead of, the float index)
                return $"CREATE INDEX IF NOT EXISTS {HalfIndex(m)} ON embeddings USING hnsw ((embedding::halfvec({d})) halfvec_cosine_ops) {with} WHERE model_id = {m.Id}";
            case "ivf": // on l2_normalize(...) so that its ORDER BY expression differs from the HNSW index's (same cosine order)
                return string.Create(CultureInfo.InvariantCulture,
                    $"CREATE INDEX IF NOT EXISTS {IvfIndex(m)} ON embeddings USING ivfflat ((l2_normalize(embedding::vector({d}))::vector({d})) vector_cosine_ops) WITH (lists = {Math.Max(10, chips / 1000)}) WHERE model_id = {m.Id}");
            case "years":
                var t = YearsTable(m);
                var sql = new StringBuilder($"""
                    CREATE TABLE IF NOT EXISTS {t} (chip_id bigint NOT NULL, cell int NOT NULL, acquired_at timestamptz, embedding vector({d}) NOT NULL) PARTITION BY RANGE (acquired_at);
                    CREATE TABLE IF NOT EXISTS {t}_undated PARTITION OF {t} DEFAULT;
                    """);
                for (var y = years.First; y <= years.Last; y++)
                    sql.AppendLine(CultureInfo.InvariantCulture, $"CREATE TABLE IF NOT EXISTS {t}_{y} PARTITION OF {t} FOR VALUES FROM ('{y}-01-01 00:00+00') TO ('{y + 1}-01-01 00:00+00');");
                sql.Append($"""
                    INSERT INTO {t} SELECT e.chip_id, e.cell, c.acquired_at, e.embedding::vector({d}) FROM embeddings e JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell
                        WHERE e.model_id = {m.Id} AND NOT EXISTS (SELECT 1 FROM {t});
                    CREATE INDEX IF NOT EXISTS {t}_hnsw ON {t} USING hnsw (embedding vector_cosine_ops) {with};
                    ANALYZE {t}
                    """);
                return sql.ToString();
            default:
                throw new ArgumentException($"unknown lever group '{group}' (known: {string.Join(", ", Groups)})");
        }
    }

    private static async Task ExecuteAsync(CatalogStore store, string sql)
    {
        await using var conn = await store.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand($"SET maintenance_work_mem = '2GB'; {sql}", conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>One query: exact (variant null) or an index variant; returns the top-k chip ids.</summary>
    private static async Task<List<long>> RunAsync(CatalogStore store, ModelInfo model, SearchQuery q, Variant? v, double selectivity = 1)
    {
        var k = q.Limit;
        var d = model.Dimension;
        var fetch = v?.Mode == "strict_order" ? k : k + Math.Max(10, k / 2);
        var candidates = Math.Max(4 * k, 40);
        await using var conn = await store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        if (v is not null)
        {
            // The store's max_scan_tuples rule unless the variant fixes it.
            var maxScan = v.MaxScanTuples ?? (long)Math.Clamp(fetch / selectivity * 4, 20_000, 2_000_000);
            var settings = v.Candidates == Source.Ivf
                ? $"SET LOCAL ivfflat.iterative_scan = {v.Mode}; SET LOCAL ivfflat.probes = {v.Probes};"
                : $"SET LOCAL hnsw.iterative_scan = {v.Mode}; SET LOCAL hnsw.ef_search = {v.EfSearch}; SET LOCAL hnsw.max_scan_tuples = {maxScan};";
            await using var set = new NpgsqlCommand($"{settings} SET LOCAL enable_sort = off; SET LOCAL enable_seqscan = off;", conn, tx);
            await set.ExecuteNonQueryAsync();
        }
        await using var cmd = new NpgsqlCommand { Connection = conn, Transaction = tx };
        var filtered = q.Bbox is not null || !q.Time.IsUnbounded;
        var filters = new StringBuilder();
        Filters.Append(filters, cmd, q);
        var where = string.Create(CultureInfo.InvariantCulture, $" WHERE e.model_id = {model.Id}{filters}");
        var join = filtered ? " JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell" : "";
        var floatDistance = $"(e.{model.Column}::{model.VectorType}({d})) <=> @q::{model.VectorType}({d})";
        string Rerank(string from, string order) => string.Create(CultureInfo.InvariantCulture, $"""
            SELECT chip_id, emb <=> @q::vector AS d FROM (SELECT e.chip_id, e.embedding AS emb {from} ORDER BY {order} LIMIT {candidates}) cand
            ORDER BY d, chip_id LIMIT {fetch}
            """);
        cmd.CommandText = v?.Candidates switch
        {
            null => $"SELECT e.chip_id, e.{model.Column} <=> @q::{model.VectorType} AS d FROM embeddings e{join}{where} ORDER BY d, e.chip_id LIMIT {k}",
            Source.Half => Rerank($"FROM embeddings e{join}{where}", $"(e.embedding::halfvec({d})) <=> @q::halfvec({d})"),
            Source.Ivf => Rerank($"FROM embeddings e{join}{where}", $"l2_normalize(e.embedding::vector({d}))::vector({d}) <=> @q::vector({d})"),
            // The partitioned copy is aliased e too; its own acquired_at lets the planner prune partitions.
            Source.Years => Rerank(
                $"FROM {YearsTable(model)} e{(q.Bbox is null ? "" : " JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell")} WHERE true{filters.Replace("c.acquired_at", "e.acquired_at")}",
                $"e.embedding <=> @q::vector({d})"),
            _ => $"SELECT e.chip_id, {floatDistance} AS d FROM embeddings e{join}{where} ORDER BY d LIMIT {fetch}",
        };
        cmd.Parameters.AddWithValue("q", new Pgvector.Vector(q.Vector));
        var rows = new List<(long Id, double D)>();
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) rows.Add((reader.GetInt64(0), reader.GetDouble(1)));
        await tx.CommitAsync();
        return rows.OrderBy(r => r.D).ThenBy(r => r.Id).Take(k).Select(r => r.Id).ToList();
    }

    private static string Load() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
