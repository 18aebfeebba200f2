using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NetTopologySuite.Geometries;
using RsGeoSearch.Core;
using RsGeoSearch.Store;

// Store benchmark: fills a synthetic catalog (random unit vectors around cluster centres, scenes of 20 x 25
// chips scattered over Europe, one acquisition day per scene in 2018-2024), then measures search latency
// (p50/p95) per filter kind, recall@10 against the exact plan, and QPS with 4 concurrent clients.
//
//   dotnet run -c Release --project bench/RsGeoSearch.Bench.Store -- [--chips N] [--dim D] [--queries Q]
//        [--database URL | --data-dir DIR] [--workers N] [--keep] [--compare-halfvec] [--write-recall FILE]
// --compare-halfvec stores the same chips twice, as vector and as halfvec, and reports bytes per chip, index sizes and
// recall@10 of halfvec (exact and HNSW plans) against the float exact answer (unfiltered queries).
// --write-recall records the recall@10 of the queries that took the HNSW plan, per filter class, as the row for this
// catalogue size in FILE (src/RsGeoSearch.Pipeline/Search/search-recall.json: search responses quote it).
// Without --database/--data-dir it creates a temporary embedded cluster and deletes it at the end. With
// --workers N that cluster is a local Citus cluster (coordinator + N workers, catalog distributed by cell),
// so the same cases compare a single node with Citus on this machine.
// With an existing catalog of the same size and model it skips the load.

var chips = IntArg("--chips", 1_000_000);
var dim = IntArg("--dim", 256);
var queries = IntArg("--queries", 200);
var keep = args.Contains("--keep");
var compareHalf = args.Contains("--compare-halfvec");
var database = StringArg("--database");
var dataDir = StringArg("--data-dir");
var writeRecall = StringArg("--write-recall");
int? workers = args.Contains("--workers") ? IntArg("--workers", 2) : null;
var temporary = database is null && dataDir is null;
if (temporary) dataDir = Directory.CreateTempSubdirectory("rsgeo-bench-").FullName;

var target = DatabaseTarget.Resolve(database, dataDir, progress: new Progress<string>(m => Console.Error.WriteLine($"  db: {m}")), workers: workers);
Console.WriteLine($"store benchmark: {chips:N0} chips x {dim}-d, {queries} queries per case, on {target.Describe()}");
try
{
    await using var store = await target.OpenStoreAsync();
    if (compareHalf)
    {
        await CompareHalfAsync(store, chips, dim, queries);
        return 0;
    }
    var modelName = $"bench-{dim}";
    var model = await store.Models.RegisterAsync(modelName, dim, halfPrecision: false);
    var rng = new Random(20240601);
    var centres = Centres(rng, dim);

    var stored = await store.Models.CountEmbeddingsAsync(model);
    if (stored != chips)
    {
        if (stored != 0) throw new InvalidOperationException($"the catalog holds {stored} chips of {modelName}, not {chips}: use another --data-dir or reset it");
        await LoadAsync(store, model, chips, dim, centres, rng);
    }
    else
    {
        Console.WriteLine($"catalog already holds {stored:N0} chips of {modelName}; skipping the load");
    }

    var extent = await store.Scenes.GetExtentAsync(modelName);
    var region = extent.Spatial ?? BoundingBox.World;
    var (t0, t1) = (extent.Start!.Value, extent.End!.Value);
    Console.WriteLine($"extent {region}, {t0:yyyy-MM-dd} .. {t1:yyyy-MM-dd}");
    Console.WriteLine();

    // Query vectors: near a random centre, like a text query that has many relevant chips.
    float[] NextQuery() => Perturb(rng, centres[rng.Next(centres.Length)], 0.9f);
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

    var indexRecall = new Dictionary<string, (double Found, double Wanted)>(StringComparer.Ordinal);
    var cases = new (string Name, Func<SearchQuery> Make)[]
    {
        ("no filter", () => new SearchQuery(modelName, NextQuery())),
        ("bbox 1%", () => new SearchQuery(modelName, NextQuery(), Box(0.01))),
        ("bbox 0.05%", () => new SearchQuery(modelName, NextQuery(), Box(0.0005))),
        ("time 10%", () => new SearchQuery(modelName, NextQuery(), Time: Time(0.10))),
        ("bbox 10% + time 10%", () => new SearchQuery(modelName, NextQuery(), Box(0.10), Time(0.10))),
    };

    Console.WriteLine($"{"case",-22} {"p50 ms",8} {"p95 ms",8} {"exact p50",10} {"recall@10",10} {"k rows",8}  plans");
    foreach (var (name, make) in cases)
    {
        var list = Enumerable.Range(0, queries).Select(_ => make()).ToList();
        for (var i = 0; i < Math.Min(10, list.Count); i++) await store.Chips.SearchAsync(list[i], SearchPlan.Auto); // warm-up
        var latencies = new List<double>();
        var exactLatencies = new List<double>();
        var plans = new Dictionary<SearchPlan, int>();
        double found = 0, wanted = 0;
        var full = 0;
        foreach (var q in list)
        {
            var sw = Stopwatch.StartNew();
            var result = await store.Chips.SearchAsync(q, SearchPlan.Auto);
            latencies.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            var exact = await store.Chips.SearchAsync(q, SearchPlan.Exact);
            exactLatencies.Add(sw.Elapsed.TotalMilliseconds);
            plans[result.Plan] = plans.GetValueOrDefault(result.Plan) + 1;
            var truth = exact.Hits.Select(h => h.ChipId).ToHashSet();
            found += result.Hits.Count(h => truth.Contains(h.ChipId));
            wanted += truth.Count;
            if (result.Plan == SearchPlan.Index)
            {
                var cls = RsGeoSearch.Pipeline.Search.SearchRecall.FilterClass(q.Bbox, q.Time);
                var (f, w) = indexRecall.GetValueOrDefault(cls);
                indexRecall[cls] = (f + result.Hits.Count(h => truth.Contains(h.ChipId)), w + truth.Count);
            }
            if (result.Hits.Count == Math.Min(q.Limit, exact.Hits.Count)) full++;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-22} {Percentile(latencies, 50),8:F2} {Percentile(latencies, 95),8:F2} {Percentile(exactLatencies, 50),10:F2} {(wanted == 0 ? 1 : found / wanted),10:F3} {full,4}/{list.Count,-3}  {string.Join(", ", plans.Select(p => $"{p.Key} {p.Value}"))}"));
    }

    if (writeRecall is not null)
    {
        var recall = indexRecall.Where(kv => kv.Value.Wanted > 0).ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value.Found / kv.Value.Wanted, 3));
        RsGeoSearch.Pipeline.Search.SearchRecall.WriteRow(writeRecall, RsGeoSearch.Pipeline.Search.SearchRecall.IndexKey(store.Options), chips, recall);
        Console.WriteLine($"wrote the HNSW recall of {chips:N0} chips ({string.Join(", ", recall.Select(r => $"{r.Key} {r.Value}"))}) to {writeRecall}");
    }

    // Throughput: 4 clients, mixed cases, 15 seconds.
    const int clients = 4;
    var duration = TimeSpan.FromSeconds(15);
    var mixed = Enumerable.Range(0, 400).Select(i => cases[i % cases.Length].Make()).ToArray();
    var done = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
    {
        var i = c;
        while (clock.Elapsed < duration)
        {
            await store.Chips.SearchAsync(mixed[i % mixed.Length]);
            Interlocked.Increment(ref done);
            i += clients;
        }
    })));
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput: {done / clock.Elapsed.TotalSeconds:F0} queries/s with {clients} concurrent clients (mixed cases, {Environment.ProcessorCount} cores shared with the server)"));
}
finally
{
    if (temporary && !keep && target.Citus is { } citus) await citus.DeleteAsync();
    else if (temporary && !keep && target.Cluster is { } cluster) await cluster.DeleteAsync();
    else if (target.Cluster is { } c) Console.WriteLine($"kept the cluster in {c.Options.Directory} (stop it with: rsgeo db stop --data-dir {c.Options.Directory})");
}
return 0;

static async Task CompareHalfAsync(CatalogStore store, int chips, int dim, int queries)
{
    var full = await store.Models.RegisterAsync($"bench-{dim}", dim, halfPrecision: false);
    var half = await store.Models.RegisterAsync($"bench-{dim}-halfvec", dim, halfPrecision: true);
    foreach (var m in new[] { full, half })
    {
        var rng = new Random(20240601); // the same centres and vectors for both models; scenes are shared by content hash
        var centres = Centres(rng, dim);
        if (await store.Models.CountEmbeddingsAsync(m) == 0) await LoadAsync(store, m, chips, dim, centres, rng);
    }
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
    var queryCentres = Centres(new Random(20240601), dim);
    for (var i = 0; i < queries; i++)
    {
        var q = Perturb(qrng, queryCentres[qrng.Next(queryCentres.Length)], 0.9f);
        var truth = (await store.Chips.SearchAsync(new SearchQuery(full.Name, q), SearchPlan.Exact)).Hits.Select(h => h.ChipId).ToHashSet();
        halfExact += (await store.Chips.SearchAsync(new SearchQuery(half.Name, q), SearchPlan.Exact)).Hits.Count(h => truth.Contains(h.ChipId));
        halfIndex += (await store.Chips.SearchAsync(new SearchQuery(half.Name, q), SearchPlan.Index)).Hits.Count(h => truth.Contains(h.ChipId));
        fullIndex += (await store.Chips.SearchAsync(new SearchQuery(full.Name, q), SearchPlan.Index)).Hits.Count(h => truth.Contains(h.ChipId));
        total += truth.Count;
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"recall@10 against the float exact answer, {queries} unfiltered queries: halfvec exact {halfExact / total:F3}, halfvec HNSW {halfIndex / total:F3}, float HNSW {fullIndex / total:F3}"));
}

static async Task LoadAsync(CatalogStore store, ModelInfo model, int chips, int dim, float[][] centres, Random rng)
{
    const int cols = 20, rows = 25, perScene = cols * rows;
    var factory = new GeometryFactory(new PrecisionModel(), 4326);
    var dropped = await store.Models.PrepareBulkLoadAsync(model, chips);
    Console.WriteLine($"loading {chips:N0} chips{(dropped ? " (index dropped; built after the load)" : "")}");
    var sw = Stopwatch.StartNew();
    var written = 0;
    for (var s = 0; written < chips; s++)
    {
        // A scene: 0.5 x 0.5 degrees somewhere in lon -10..30, lat 36..60, one day in 2018-2024.
        var (x0, y0) = (-10 + rng.NextDouble() * 39.5, 36 + rng.NextDouble() * 23.5);
        var acquired = new DateTimeOffset(2018, 1, 1, 10, 0, 0, TimeSpan.Zero).AddDays(rng.Next(0, 7 * 365));
        var scene = new Scene($"file:///bench/scene-{s}.tif", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"bench-{s}"))),
            "EPSG:3035", acquired, AcquisitionSource.Metadata, Rect(factory, x0, y0, x0 + 0.5, y0 + 0.5), cols * 256, rows * 256, 3);
        var reg = await store.Ingest.BeginSceneAsync(scene, model);
        var count = Math.Min(perScene, chips - written);
        var batch = new List<ChipEmbedding>(count);
        var topic = rng.Next(centres.Length); // scenes have a dominant theme, like real imagery
        for (var i = 0; i < count; i++)
        {
            var (c, r) = (i % cols, i / cols);
            var (w, h) = (0.5 / cols, 0.5 / rows);
            var footprint = Rect(factory, x0 + c * w, y0 + 0.5 - (r + 1) * h, x0 + (c + 1) * w, y0 + 0.5 - r * h);
            var centre = centres[rng.NextDouble() < 0.5 ? topic : rng.Next(centres.Length)];
            batch.Add(new ChipEmbedding(new Chip(0, c, r, new PixelWindow(c * 256, r * 256, 256, 256), footprint, 0, null), Perturb(rng, centre, 0.6f)));
        }
        await store.Ingest.WriteChipsAsync(reg.SceneId, model, batch);
        await store.Ingest.CompleteSceneAsync(reg.SceneId, model, count);
        written += count;
        if (s % 100 == 0) Console.Error.Write($"\r  {written:N0} chips, {written / sw.Elapsed.TotalSeconds:F0} chips/s   ");
    }
    Console.Error.WriteLine();
    var load = sw.Elapsed;
    sw.Restart();
    await store.Models.FinishBulkLoadAsync(model);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"loaded in {load.TotalSeconds:F0} s ({chips / load.TotalSeconds:F0} chips/s); HNSW index (m=16, ef_construction=64) + ANALYZE in {sw.Elapsed.TotalSeconds:F0} s"));
}

static Polygon Rect(GeometryFactory f, double minX, double minY, double maxX, double maxY) =>
    f.CreatePolygon([new(minX, minY), new(maxX, minY), new(maxX, maxY), new(minX, maxY), new(minX, minY)]);

// The 200 cluster centres of the synthetic catalogue: the first draws of a seeded generator.
static float[][] Centres(Random rng, int dim) => Enumerable.Range(0, 200).Select(_ => RandomUnit(rng, dim)).ToArray();

static float[] RandomUnit(Random rng, int dim)
{
    var v = new float[dim];
    for (var i = 0; i < dim; i++) v[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
    return Normalize(v);
}

static float[] Perturb(Random rng, float[] centre, float noise)
{
    var n = RandomUnit(rng, centre.Length);
    var v = new float[centre.Length];
    for (var i = 0; i < v.Length; i++) v[i] = centre[i] + noise * n[i];
    return Normalize(v);
}

static float[] Normalize(float[] v)
{
    double s = 0;
    foreach (var x in v) s += x * (double)x;
    var inv = (float)(1 / Math.Sqrt(s));
    for (var i = 0; i < v.Length; i++) v[i] *= inv;
    return v;
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? 0 : sorted[(int)Math.Clamp(Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

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
