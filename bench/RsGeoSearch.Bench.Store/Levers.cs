using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;
using RsGeoSearch.Core;
using RsGeoSearch.Store;

namespace RsGeoSearch.Bench.Store;

/// <summary>
/// Search levers measured on the same queries as raw-SQL variants of the store's index plan (one connection and
/// transaction per query, like the store): hnsw.ef_search, relaxed vs strict iterative scans, hnsw.max_scan_tuples,
/// halfvec candidates re-ranked by the float distance; and the exact plan's cost per filter candidate, which is what a
/// cost-based choice between the two plans needs. No variant falls back to the exact plan: "k rows" shows how often
/// it came back short.
/// </summary>
internal static class Levers
{
    private const int MaxQueries = 100, MaxFilteredQueries = 40;

    /// <summary>Below this many estimated candidates only the exact plan is measured (an index walk cannot compete).</summary>
    private const double IndexVariantsMinCandidates = 300;

    private sealed record Variant(string Name, string Mode, int EfSearch, long? MaxScanTuples, bool HalfCandidates = false);

    private static readonly Variant[] Variants =
    [
        new("relaxed ef=40", "relaxed_order", 40, null),
        new("relaxed ef=100 (store)", "relaxed_order", 100, null),
        new("relaxed ef=200", "relaxed_order", 200, null),
        new("relaxed ef=400", "relaxed_order", 400, null),
        new("relaxed ef=800", "relaxed_order", 800, null),
        new("relaxed ef=100 mst=20k", "relaxed_order", 100, 20_000),
        new("strict ef=100", "strict_order", 100, null),
        new("strict ef=400", "strict_order", 400, null),
        new("halfvec ef=100 +rerank", "relaxed_order", 100, null, HalfCandidates: true),
        new("halfvec ef=400 +rerank", "relaxed_order", 400, null, HalfCandidates: true),
    ];

    public static async Task RunAsync(CatalogStore store, ModelInfo model, long chips,
        IReadOnlyList<(string Name, List<SearchQuery> Queries, List<List<long>> Truth, List<long> Candidates)> cases)
    {
        // The halfvec candidate index: an expression index over the float column cast to halfvec (what a store would
        // keep next to, or instead of, the float index).
        var halfIndex = $"bench_half_m{model.Id}";
        var sw = Stopwatch.StartNew();
        await using (var conn = await store.DataSource.OpenConnectionAsync())
        await using (var cmd = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture, $"""
            CREATE INDEX IF NOT EXISTS {halfIndex} ON embeddings USING hnsw ((embedding::halfvec({model.Dimension})) halfvec_cosine_ops)
            WITH (m = {store.Options.HnswM}, ef_construction = {store.Options.HnswEfConstruction}) WHERE model_id = {model.Id}
            """), conn) { CommandTimeout = 0 })
            await cmd.ExecuteNonQueryAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"levers, {model.Name}: halfvec candidate index ready in {sw.Elapsed.TotalSeconds:F0} s; load average {Load()}"));
        Console.WriteLine($"{"case",-20} {"variant",-24} {"p50 ms",8} {"p95 ms",8} {"recall@10",9} {"k rows",9}");

        foreach (var (name, queries, truth, candidates) in cases)
        {
            var n = Math.Min(queries[0].Bbox is null && queries[0].Time.IsUnbounded ? MaxQueries : MaxFilteredQueries, queries.Count);
            // Exact plan cost per candidate: the same statement as the store's exact plan.
            var exactMs = new List<double>();
            for (var i = 0; i < n; i++)
            {
                var t = Stopwatch.GetTimestamp();
                await RunAsync(store, model, queries[i], null, halfIndex: false);
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
            foreach (var v in Variants)
            {
                var stats = new PlanStats(v.Name);
                for (var i = 0; i < n; i++)
                {
                    var t = Stopwatch.GetTimestamp();
                    var ids = await RunAsync(store, model, queries[i], v, halfIndex: v.HalfCandidates, selectivity: Math.Clamp(candidates[i] / (double)chips, 1e-6, 1));
                    stats.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds, ids, truth[i], "index");
                }
                var r = stats.Result("", name);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{"",-20} {v.Name,-24} {r.P50,8:F2} {r.P95,8:F2} {r.Recall,9:F3} {r.Full,4}/{r.Queries,-4}"));
            }
        }
        Console.WriteLine($"load average {Load()}");
    }

    /// <summary>One query: exact (variant null) or an index variant; returns the top-k chip ids.</summary>
    private static async Task<List<long>> RunAsync(CatalogStore store, ModelInfo model, SearchQuery q, Variant? v, bool halfIndex, double selectivity = 1)
    {
        var k = q.Limit;
        var fetch = v?.Mode == "strict_order" ? k : k + Math.Max(10, k / 2);
        await using var conn = await store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var floatDistance = $"(e.{model.Column}::{model.VectorType}({model.Dimension})) <=> @q::{model.VectorType}({model.Dimension})";
        if (v is not null)
        {
            // The store's max_scan_tuples rule unless the variant fixes it.
            var maxScan = v.MaxScanTuples ?? (long)Math.Clamp(fetch / selectivity * 4, 20_000, 2_000_000);
            await using var set = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture, $"""
                SET LOCAL hnsw.iterative_scan = {v.Mode};
                SET LOCAL hnsw.ef_search = {v.EfSearch};
                SET LOCAL hnsw.max_scan_tuples = {maxScan};
                SET LOCAL enable_sort = off;
                SET LOCAL enable_seqscan = off;
                """), conn, tx);
            await set.ExecuteNonQueryAsync();
        }
        await using var cmd = new NpgsqlCommand { Connection = conn, Transaction = tx };
        var filtered = q.Bbox is not null || !q.Time.IsUnbounded;
        var where = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $" WHERE e.model_id = {model.Id}"));
        Filters.Append(where, cmd, q);
        var join = filtered ? " JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell" : "";
        cmd.CommandText = (v, halfIndex) switch
        {
            (null, _) => $"SELECT e.chip_id, e.{model.Column} <=> @q::{model.VectorType} AS d FROM embeddings e{join}{where} ORDER BY d, e.chip_id LIMIT {k}",
            (_, true) => $"""
                SELECT chip_id, emb <=> @q::vector AS d FROM (
                    SELECT e.chip_id, e.embedding AS emb FROM embeddings e{join}{where}
                    ORDER BY (e.embedding::halfvec({model.Dimension})) <=> @q::halfvec({model.Dimension}) LIMIT {Math.Max(4 * k, 40)}) cand
                ORDER BY d, chip_id LIMIT {fetch}
                """,
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
