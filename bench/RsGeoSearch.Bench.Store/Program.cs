using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RsGeoSearch.Bench.Store;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Search;
using RsGeoSearch.Store;

// Store benchmark: fills one catalogue per data set, then for each filter case runs the same queries three ways in
// the same run — the project's plan (CatalogStore.SearchAsync, Auto), pgvector's plain plan as a user would write it
// (ORDER BY embedding <=> q LIMIT k with default settings) and the exact answer — and prints p50/p95/p99, recall@10
// against exact, how many queries got all k rows, and the plans chosen; then QPS with 4 concurrent clients.
//
//   dotnet run -c Release --project bench/RsGeoSearch.Bench.Store -- [--chips N] [--dataset synthetic|real|both]
//        [--dim D] [--queries Q] [--json FILE] [--levers [hnsw,ivf,years]] [--database URL | --data-dir DIR] [--workers N] [--keep]
//        [--compare-halfvec] [--write-recall FILE] [--model DIR] [--hnsw-m M] [--ef-construction E] [--cases "no filter,time 10%"]
//        [--vector-index hnsw|ivfflat]
// Data sets (N chips each): synthetic — random unit vectors around 200 centres (the hard, clustered case; --dim);
// real — the bundled model's embeddings of real chips (shared AID scenes and rasters, augmented), spread with small
// noise over places with several dates, some undated, queried with caption texts (see BenchSets.cs). The real base
// embeddings are cached under artifacts/bench-store/.
// --json FILE writes {"chips","dim","target","load_average","loads":[{"dataset","load_s","index_build_s"}],"qps_4_clients","cases":[{"dataset","case","plan","p50_ms","p95_ms","p99_ms",
// "recall_at_10","exact_k","queries"}]} with the project's plan per case and the anchors as entries whose plan is
// "pgvector-default" / "exact".
// --levers measures search levers on the same queries as raw-SQL variants and the cost of the exact plan per candidate
// (Levers.cs), in groups (default: all): hnsw (ef_search, strict/relaxed iterative scan, hnsw.max_scan_tuples,
// halfvec candidates + exact re-rank), ivf (IVFFlat candidates at several probes + re-rank), years (a copy partitioned
// by acquisition year, an HNSW graph per partition, candidates merged + re-rank).
// --compare-halfvec stores the synthetic chips twice, as vector and as halfvec, and reports bytes per chip, index
// sizes and recall@10 of halfvec (exact and HNSW plans) against the float exact answer (unfiltered queries).
// --write-recall records the recall@10 of the project plan's index queries per filter class (real set when run, else
// synthetic) as the row for this size in FILE (src/RsGeoSearch.Pipeline/Search/search-recall.json).
// --cases runs only the named filter cases (comma-separated).
// --vector-index makes the store's index of the set's model HNSW (default) or IVFFlat (rebuilt when it changes).
// --hnsw-m / --ef-construction build the HNSW graph denser than the store's defaults (16 / 64), to weigh that lever.
// Without --database/--data-dir it creates a temporary embedded cluster and deletes it at the end; with --workers N
// that cluster is a local Citus cluster (coordinator + N workers). An existing catalogue of the same size is reused.

var chips = IntArg("--chips", 1_000_000);
var dim = IntArg("--dim", 256);
var queries = IntArg("--queries", 200);
var keep = args.Contains("--keep");
var compareHalf = args.Contains("--compare-halfvec");
var leverArg = Array.IndexOf(args, "--levers");
string[] leverGroups = leverArg < 0 ? [] : leverArg + 1 < args.Length && !args[leverArg + 1].StartsWith("--", StringComparison.Ordinal)
    ? args[leverArg + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : Levers.Groups;
if (leverGroups.Except(Levers.Groups).FirstOrDefault() is { } unknownGroup)
{
    Console.Error.WriteLine($"--levers takes groups among {string.Join(", ", Levers.Groups)}, not '{unknownGroup}'");
    return 2;
}
var database = StringArg("--database");
var dataDir = StringArg("--data-dir");
var writeRecall = StringArg("--write-recall");
var jsonFile = StringArg("--json");
var datasetArg = StringArg("--dataset") ?? "synthetic";
if (datasetArg is not ("synthetic" or "real" or "both"))
{
    Console.Error.WriteLine($"--dataset must be synthetic, real or both, not '{datasetArg}'");
    return 2;
}
int? workers = args.Contains("--workers") ? IntArg("--workers", 2) : null;
var vectorIndexArg = StringArg("--vector-index") ?? VectorIndexKind.Hnsw.Name();
if (VectorIndexKinds.Parse(vectorIndexArg) is not { } vectorIndex)
{
    Console.Error.WriteLine($"--vector-index must be {string.Join(" or ", VectorIndexKinds.Names)}, not '{vectorIndexArg}'");
    return 2;
}
var storeOptions = new CatalogStoreOptions
{
    HnswM = IntArg("--hnsw-m", new CatalogStoreOptions().HnswM),
    HnswEfConstruction = IntArg("--ef-construction", new CatalogStoreOptions().HnswEfConstruction),
};
var temporary = database is null && dataDir is null;
if (temporary) dataDir = Directory.CreateTempSubdirectory("rsgeo-bench-").FullName;

var sets = new List<BenchSet>();
if (datasetArg is "synthetic" or "both") sets.Add(new SyntheticSet(dim));
if (datasetArg is "real" or "both")
{
    using var models = new ModelCache(new ModelRegistry([]), StringArg("--model") ?? BundledModel());
    sets.Add(new RealSet(RealEmbeddings.LoadOrBuild(models.Get(null), Path.Combine(RepoRoot(), "artifacts", "bench-store"))));
}

var target = DatabaseTarget.Resolve(database, dataDir, progress: new Progress<string>(m => Console.Error.WriteLine($"  db: {m}")), workers: workers);
Console.WriteLine($"store benchmark: {chips:N0} chips per set ({string.Join(", ", sets.Select(s => $"{s.Name} {s.Dimension}-d"))}), {queries} queries per case, on {target.Describe()}; load average {LoadAverage()}");
try
{
    await using var store = CatalogStore.Create(await target.EnsureReadyAsync(), storeOptions);
    if (compareHalf)
    {
        await CompareHalfAsync(store, chips, dim, queries);
        return 0;
    }

    var results = new List<CaseResult>();
    var mixed = new List<SearchQuery>();
    var recallSource = sets.Count > 1 ? "real" : sets[0].Name;
    var indexRecall = new Dictionary<string, (double Found, double Wanted)>(StringComparer.Ordinal);
    var loads = new List<(string Dataset, (double Load, double Index) Seconds)>();
    foreach (var set in sets)
    {
        var model = await store.Models.RegisterAsync(set.ModelName, set.Dimension, halfPrecision: false);
        if (model.VectorIndex != vectorIndex)
        {
            var sw = Stopwatch.StartNew();
            model = await store.Models.SetVectorIndexAsync(model.Name, vectorIndex);
            Console.WriteLine($"{set.Name}: vector index now {vectorIndex} ({sw.Elapsed.TotalSeconds:F0} s); load average {LoadAverage()}");
        }
        var stored = await store.Models.CountEmbeddingsAsync(model);
        if (stored != chips)
        {
            if (stored != 0) throw new InvalidOperationException($"the catalog holds {stored} chips of {set.ModelName}, not {chips}: use another --data-dir or reset it");
            loads.Add((set.Name, await LoadAsync(store, model, set, chips)));
        }
        else Console.WriteLine($"catalog already holds {stored:N0} chips of {set.ModelName}; skipping the load");

        var extent = await store.Scenes.GetExtentAsync(set.ModelName);
        var region = extent.Spatial ?? BoundingBox.World;
        var (t0, t1) = (extent.Start!.Value, extent.End!.Value);
        Console.WriteLine($"{set.Name}: extent {region}, {t0:yyyy-MM-dd} .. {t1:yyyy-MM-dd}; load average {LoadAverage()}");
        var rng = new Random(20240601);
        BoundingBox Box(double areaFraction)
        {
            var w = region.Width * Math.Sqrt(areaFraction);
            var h = region.Height * Math.Sqrt(areaFraction);
            var x = region.MinX + rng.NextDouble() * (region.Width - w);
            var y = region.MinY + rng.NextDouble() * (region.Height - h);
            return BoundingBox.Create(x, y, x + w, y + h);
        }
        TimeRange Time(double fraction)
        {
            var span = (t1 - t0).TotalDays * fraction;
            var start = t0.AddDays(rng.NextDouble() * ((t1 - t0).TotalDays - span));
            return TimeRange.Create(start, start.AddDays(span));
        }
        var cases = new (string Name, Func<SearchQuery> Make)[]
        {
            ("no filter", () => new SearchQuery(set.ModelName, set.Query(rng))),
            ("bbox 1%", () => new SearchQuery(set.ModelName, set.Query(rng), Box(0.01))),
            ("bbox 0.05%", () => new SearchQuery(set.ModelName, set.Query(rng), Box(0.0005))),
            ("time 10%", () => new SearchQuery(set.ModelName, set.Query(rng), Time: Time(0.10))),
            ("bbox 10% + time 10%", () => new SearchQuery(set.ModelName, set.Query(rng), Box(0.10), Time(0.10))),
        };

        if (StringArg("--cases") is { } only)
        {
            var wanted = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (wanted.Except(cases.Select(c => c.Name)).FirstOrDefault() is { } unknown)
                throw new ArgumentException($"--cases: no case '{unknown}' (cases: {string.Join(", ", cases.Select(c => c.Name))})");
            cases = cases.Where(c => wanted.Contains(c.Name)).ToArray();
        }
        Console.WriteLine();
        Console.WriteLine($"{"set",-9} {"case",-20} {"plan",-17} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"recall@10",9} {"k rows",9}  plans chosen");
        var perCase = new List<(string Name, List<SearchQuery> Queries, List<List<long>> Truth, List<long> Candidates)>();
        foreach (var (name, make) in cases)
        {
            var list = Enumerable.Range(0, queries).Select(_ => make()).ToList();
            mixed.AddRange(list.Take(80));
            for (var i = 0; i < Math.Min(10, list.Count); i++) await store.Chips.SearchAsync(list[i], SearchPlan.Auto); // warm-up
            var auto = new PlanStats("project (auto)");
            var plain = new PlanStats("pgvector-default");
            var exact = new PlanStats("exact");
            var truths = new List<List<long>>();
            var candidates = new List<long>();
            foreach (var q in list)
            {
                var sw = Stopwatch.StartNew();
                var result = await store.Chips.SearchAsync(q, SearchPlan.Auto);
                var autoMs = sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                var plainIds = await PlainAsync(store, model, q);
                var plainMs = sw.Elapsed.TotalMilliseconds;
                sw.Restart();
                var truth = await store.Chips.SearchAsync(q, SearchPlan.Exact);
                var exactMs = sw.Elapsed.TotalMilliseconds;
                var truthIds = truth.Hits.Select(h => h.ChipId).ToList();
                truths.Add(truthIds);
                candidates.Add(result.EstimatedCandidates);
                auto.Add(autoMs, result.Hits.Select(h => h.ChipId).ToList(), truthIds, result.Plan == SearchPlan.Index ? "index" : "exact");
                plain.Add(plainMs, plainIds, truthIds, "index");
                exact.Add(exactMs, truthIds, truthIds, "exact");
                if (result.Plan == SearchPlan.Index && set.Name == recallSource)
                {
                    var cls = SearchRecall.FilterClass(q.Bbox, q.Time);
                    var (f, w) = indexRecall.GetValueOrDefault(cls);
                    indexRecall[cls] = (f + result.Hits.Count(h => truthIds.Contains(h.ChipId)), w + truthIds.Count);
                }
            }
            perCase.Add((name, list, truths, candidates));
            foreach (var stats in new[] { auto, plain, exact })
            {
                var r = stats.Result(set.Name, name);
                results.Add(r);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(stats == auto ? set.Name : ""),-9} {(stats == auto ? name : ""),-20} {stats.Label,-17} {r.P50,8:F2} {r.P95,8:F2} {r.P99,8:F2} {r.Recall,9:F3} {r.Full,4}/{r.Queries,-4}  {r.Plans}"));
            }
        }
        Console.WriteLine($"load average {LoadAverage()}");
        if (leverGroups.Length > 0) await Levers.RunAsync(store, model, chips, leverGroups, perCase);
    }

    if (writeRecall is not null)
    {
        var recall = indexRecall.Where(kv => kv.Value.Wanted > 0).ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value.Found / kv.Value.Wanted, 3));
        SearchRecall.WriteRow(writeRecall, SearchRecall.IndexKey(store.Options, vectorIndex), chips, recall);
        Console.WriteLine($"wrote the index plan's recall ({vectorIndexArg}) of {chips:N0} chips of the {recallSource} set ({string.Join(", ", recall.Select(r => $"{r.Key} {r.Value}"))}) to {writeRecall}");
    }

    // Throughput: 4 clients, the project's plan over a mix of every case of every set, 15 seconds.
    const int clients = 4;
    var duration = TimeSpan.FromSeconds(15);
    var shuffled = mixed.OrderBy(_ => Random.Shared.Next()).ToArray();
    var done = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
    {
        var i = c;
        while (clock.Elapsed < duration)
        {
            await store.Chips.SearchAsync(shuffled[i % shuffled.Length]);
            Interlocked.Increment(ref done);
            i += clients;
        }
    })));
    var qps = done / clock.Elapsed.TotalSeconds;
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"throughput: {qps:F0} queries/s with {clients} concurrent clients (project plan, mixed cases, {Environment.ProcessorCount} cores shared with the server); load average {LoadAverage()}"));

    if (jsonFile is not null)
    {
        var doc = new
        {
            chips,
            dim = sets[0].Dimension,
            target = target.Describe(),
            load_average = LoadAverage(),
            vector_index = vectorIndexArg,
            hnsw = new { m = store.Options.HnswM, ef_construction = store.Options.HnswEfConstruction },
            loads = loads.Select(l => new { dataset = l.Dataset, load_s = Math.Round(l.Seconds.Load, 1), index_build_s = Math.Round(l.Seconds.Index, 1) }),
            qps_4_clients = Math.Round(qps, 1),
            cases = results.Select(r => new
            {
                dataset = r.Dataset, @case = r.Case, plan = r.Plan, p50_ms = Math.Round(r.P50, 2), p95_ms = Math.Round(r.P95, 2),
                p99_ms = Math.Round(r.P99, 2), recall_at_10 = Math.Round(r.Recall, 3), exact_k = r.Full == r.Queries, queries = r.Queries,
            }),
        };
        await File.WriteAllTextAsync(jsonFile, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {jsonFile}");
    }
}
finally
{
    if (temporary && !keep && target.Citus is { } citus) await citus.DeleteAsync();
    else if (temporary && !keep && target.Cluster is { } cluster) await cluster.DeleteAsync();
    else if (target.Cluster is { } c) Console.WriteLine($"kept the cluster in {c.Options.Directory} (stop it with: rsgeo db stop --data-dir {c.Options.Directory})");
}
return 0;

// pgvector's plan as a user would write it: the filters, ORDER BY the indexed distance, LIMIT k, default settings
// (hnsw.ef_search 40, no iterative scan) on a fresh transaction.
static async Task<List<long>> PlainAsync(CatalogStore store, ModelInfo model, SearchQuery q)
{
    await using var conn = await store.DataSource.OpenConnectionAsync();
    await using var cmd = new Npgsql.NpgsqlCommand { Connection = conn };
    var sql = new System.Text.StringBuilder(string.Create(CultureInfo.InvariantCulture,
        $"SELECT e.chip_id FROM embeddings e JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell WHERE e.model_id = {model.Id}"));
    Filters.Append(sql, cmd, q);
    sql.Append(CultureInfo.InvariantCulture, $" ORDER BY (e.{model.Column}::{model.VectorType}({model.Dimension})) <=> @q::{model.VectorType}({model.Dimension}) LIMIT {q.Limit}");
    cmd.CommandText = sql.ToString();
    cmd.Parameters.AddWithValue("q", new Pgvector.Vector(q.Vector));
    var ids = new List<long>();
    await using var reader = await cmd.ExecuteReaderAsync();
    while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
    return ids;
}

static async Task CompareHalfAsync(CatalogStore store, int chips, int dim, int queries)
{
    var full = await store.Models.RegisterAsync($"bench-{dim}", dim, halfPrecision: false);
    var half = await store.Models.RegisterAsync($"bench-{dim}-halfvec", dim, halfPrecision: true);
    var set = new SyntheticSet(dim);
    foreach (var m in new[] { full, half })
        if (await store.Models.CountEmbeddingsAsync(m) == 0) await LoadAsync(store, m, set, chips); // the same chips and vectors; scenes are shared by content hash
    await using (var conn = await store.DataSource.OpenConnectionAsync())
    await using (var cmd = new Npgsql.NpgsqlCommand(string.Create(CultureInfo.InvariantCulture, $"""
        SELECT (SELECT avg(pg_column_size(embedding)) FROM embeddings WHERE model_id = {full.Id}),
               (SELECT avg(pg_column_size(embedding_half)) FROM embeddings WHERE model_id = {half.Id}),
               pg_relation_size('{SchemaMigrator.Schema}.{full.IndexName}'), pg_relation_size('{SchemaMigrator.Schema}.{half.IndexName}')
        """), conn))
    {
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"bytes per stored vector: vector {r.GetDecimal(0):F0}, halfvec {r.GetDecimal(1):F0}; HNSW index bytes per chip: vector {r.GetInt64(2) / (double)chips:F0}, halfvec {r.GetInt64(3) / (double)chips:F0}"));
    }
    var qrng = new Random(7);
    double halfExact = 0, halfIndex = 0, fullIndex = 0, total = 0;
    for (var i = 0; i < queries; i++)
    {
        var q = set.Query(qrng);
        var truth = (await store.Chips.SearchAsync(new SearchQuery(full.Name, q), SearchPlan.Exact)).Hits.Select(h => h.ChipId).ToHashSet();
        halfExact += (await store.Chips.SearchAsync(new SearchQuery(half.Name, q), SearchPlan.Exact)).Hits.Count(h => truth.Contains(h.ChipId));
        halfIndex += (await store.Chips.SearchAsync(new SearchQuery(half.Name, q), SearchPlan.Index)).Hits.Count(h => truth.Contains(h.ChipId));
        fullIndex += (await store.Chips.SearchAsync(new SearchQuery(full.Name, q), SearchPlan.Index)).Hits.Count(h => truth.Contains(h.ChipId));
        total += truth.Count;
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"recall@10 against the float exact answer, {queries} unfiltered queries: halfvec exact {halfExact / total:F3}, halfvec HNSW {halfIndex / total:F3}, float HNSW {fullIndex / total:F3}"));
}

static async Task<(double Load, double Index)> LoadAsync(CatalogStore store, ModelInfo model, BenchSet set, int chips)
{
    var dropped = await store.Models.PrepareBulkLoadAsync(model, chips);
    Console.WriteLine($"loading {chips:N0} chips of the {set.Name} set{(dropped ? " (index dropped; built after the load)" : "")}");
    var sw = Stopwatch.StartNew();
    var written = 0;
    foreach (var scene in set.Scenes(chips))
    {
        var reg = await store.Ingest.BeginSceneAsync(scene.Scene, model);
        await store.Ingest.WriteChipsAsync(reg.SceneId, model, scene.Chips);
        await store.Ingest.CompleteSceneAsync(reg.SceneId, model, scene.Chips.Count);
        written += scene.Chips.Count;
        if (written % 50_000 < scene.Chips.Count) Console.Error.Write($"\r  {written:N0} chips, {written / sw.Elapsed.TotalSeconds:F0} chips/s   ");
    }
    Console.Error.WriteLine();
    var load = sw.Elapsed;
    sw.Restart();
    await store.Models.FinishBulkLoadAsync(model);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"loaded in {load.TotalSeconds:F0} s ({chips / load.TotalSeconds:F0} chips/s); {(model.VectorIndex == VectorIndexKind.IvfFlat ? $"IVFFlat index (lists={ModelStore.IvfLists(chips)})" : $"HNSW index (m={store.Options.HnswM}, ef_construction={store.Options.HnswEfConstruction})")} + ANALYZE in {sw.Elapsed.TotalSeconds:F0} s; load average {LoadAverage()}"));
    return (load.TotalSeconds, sw.Elapsed.TotalSeconds);
}

static string LoadAverage()
{
    try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
    catch (IOException) { return "?"; }
}

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "RsGeoSearch.sln"))) return dir.FullName;
    return Directory.GetCurrentDirectory();
}

static string BundledModel() => Path.Combine(RepoRoot(), "models", "rsgeo-mini");

int IntArg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

string? StringArg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
