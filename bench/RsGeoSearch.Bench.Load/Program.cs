using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RsGeoSearch.Api;
using RsGeoSearch.Core;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Store;
using RsGeoSearch.TestSupport;

// Load test (bounded, loopback, not pass/fail): a temporary embedded database with shared rasters ingested, the API
// on Kestrel at 127.0.0.1:0 in this process (what `rsgeo serve` runs), then N concurrent clients for S seconds
// mixing GET /search (text, some with a bbox), OGC API items (with and without q, paged) and chip thumbnails.
// Prints errors, p50/p95/p99 per kind and requests per second. Before the HTTP phase, the same request mix without
// thumbnails runs for a third of the time through the search service the API calls (SearchService: cached text
// embeddings, the relevance threshold, the store's search), then over HTTP, with the same number of clients: each
// kind's HTTP p95 stands next to the p95 of the same queries without HTTP, under the same load (thumbnails, GDAL
// reads and PNG encoding, would load only the HTTP side).
// The text-embedding cache hit rate over the HTTP phase is read from GET /health ("text_embedding_cache"), or "n/a"
// when the server does not report one.
//
//   dotnet run -c Release --project bench/RsGeoSearch.Bench.Load -- [--seconds 60] [--clients 32] [--model DIR]
//        [--rasters rasters/naip-north-dakota,rasters/sentinel2-ireland]
// The model: --model, else models/rsgeo-mini when its manifest.json exists, else the tiny CLIP-shaped test model.

var seconds = IntArg("--seconds", 60);
var clients = IntArg("--clients", 32);
var rasters = (StringArg("--rasters") ?? "rasters/naip-north-dakota,rasters/sentinel2-ireland").Split(',', StringSplitOptions.RemoveEmptyEntries);
var modelDir = StringArg("--model") ?? TestModels.BundledOrTiny;
Console.WriteLine($"load test: {clients} clients x {seconds} s on loopback; {Environment.ProcessorCount} cores, load average {LoadAverage()}");
Console.WriteLine($"model {modelDir}; ingesting {string.Join(", ", rasters)} into a temporary embedded database ...");

var ingestClock = Stopwatch.StartNew();
await using var catalog = await IngestedCatalog.CreateAsync(modelDir, rasters);
var extent = await catalog.Catalog.GetExtentAsync(CancellationToken.None);
Console.WriteLine($"{extent.ChipCount:N0} chips in {extent.SceneCount} scenes (ingest {ingestClock.Elapsed.TotalSeconds:F0} s, {catalog.Report.Failures.Count()} failed files)");

var app = RsGeoApi.Build(catalog.Catalog, new ApiOptions { Urls = ["http://127.0.0.1:0"], MaxLimit = 1000 }, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
await app.StartAsync();
var baseUrl = app.Urls.First();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60),
};

// Chip ids for thumbnails: every chip of the catalogue, listed through the API itself.
var chipIds = new List<string>();
for (var offset = 0; ; offset += 1000)
{
    var page = JsonDocument.Parse(await http.GetStringAsync($"/ogc/collections/chips/items?limit=1000&offset={offset}")).RootElement;
    var features = page.GetProperty("features");
    foreach (var f in features.EnumerateArray()) chipIds.Add(f.GetProperty("id").ToString());
    if (features.GetArrayLength() < 1000) break;
}
var box = extent.Spatial!.Value;
string[] texts = ["farmland", "a river", "dense residential area", "forest", "an airport", "a parking lot with cars", "bare land", "a port", "a road crossing fields", "lakes and ponds"];
(string Text, BoundingBox Box) Quarter(Random r)
{
    var x = box.MinX + r.NextDouble() * box.Width * 0.75;
    var y = box.MinY + r.NextDouble() * box.Height * 0.75;
    return (string.Create(CultureInfo.InvariantCulture, $"{x},{y},{x + box.Width / 4},{y + box.Height / 4}"),
        BoundingBox.Create(x, y, x + box.Width / 4, y + box.Height / 4));
}
// The same requests without HTTP: the search service the API calls (SearchService: the text from its embedding cache,
// the default relevance threshold, the store's one search call), with the same CatalogQuery the endpoint builds.
var service = catalog.Catalog;
(string Kind, string Url, Func<Task>? Direct) Next(Random r, bool thumbnails = true)
{
    var text = texts[r.Next(texts.Length)];
    var t = Uri.EscapeDataString(text);
    switch (r.Next(thumbnails ? 10 : 7))
    {
        case 0 or 1 or 2:
            return ("search", $"/search?q={t}&limit=10", () => service.SearchAsync(new CatalogQuery(text, Limit: 10), CancellationToken.None));
        case 3:
            var (bbox, b) = Quarter(r);
            return ("search+bbox", $"/search?q={t}&bbox={bbox}&limit=10", () => service.SearchAsync(new CatalogQuery(text, Bbox: b, Limit: 10), CancellationToken.None));
        case 4 or 5:
            var offset = r.Next(0, Math.Max(1, chipIds.Count - 50));
            return ("ogc items", $"/ogc/collections/chips/items?limit=50&offset={offset}", () => service.SearchAsync(new CatalogQuery(Limit: 50, Offset: offset), CancellationToken.None));
        case 6:
            return ("ogc items q", $"/ogc/collections/chips/items?q={t}&limit=20", () => service.SearchAsync(new CatalogQuery(text, Limit: 20), CancellationToken.None));
        default:
            return ("thumbnail", $"/chips/{chipIds[r.Next(chipIds.Count)]}.png?size={(r.Next(4) == 0 ? 128 : 256)}", null);
    }
}

// Warm-up: load the model's text tower, open connections, plan queries.
var warm = new Random(1);
for (var i = 0; i < 20; i++) await Send(http, Next(warm).Url);

var errorSamples = new ConcurrentQueue<string>();

// Without HTTP: the same mix (thumbnails left out), same clients, a third of the time; a first pass of 5 s, not
// counted, lets .NET's tiered compiler optimise the search code before either side is measured.
var serviceUntil = TimeSpan.FromSeconds(Math.Max(10, seconds / 3));
await PhaseAsync(TimeSpan.FromSeconds(5), thumbnails: false, overHttp: false);
var (serviceLatencies, _, _) = await PhaseAsync(serviceUntil, thumbnails: false, overHttp: false);
Console.WriteLine($"without HTTP (search service): {serviceLatencies.Values.Sum(b => b.Count):N0} queries in {serviceUntil.TotalSeconds:F0} s with {clients} clients; load average {LoadAverage()}");

// HTTP, the same mix as the phase without HTTP (no thumbnails), the same time: the column compared with it.
var (sameMix, _, _) = await PhaseAsync(serviceUntil, thumbnails: false, overHttp: true);
Console.WriteLine($"HTTP, same mix: {sameMix.Values.Sum(b => b.Count):N0} requests in {serviceUntil.TotalSeconds:F0} s; load average {LoadAverage()}");

// HTTP under load: the full mix, thumbnails included.
var cacheBefore = await CacheCounts(http);
var loadBefore = LoadAverage();
var (latencies, errors, elapsed) = await PhaseAsync(TimeSpan.FromSeconds(seconds), thumbnails: true, overHttp: true);
var cacheAfter = await CacheCounts(http);
await app.StopAsync();

var total = latencies.Values.Sum(b => b.Count) + errors.Values.Sum();
Console.WriteLine();
Console.WriteLine("HTTP/service compares the same-mix HTTP phase with the same requests through the search service (no HTTP); the other columns are the full mix.");
Console.WriteLine($"{total:N0} requests in {elapsed:F1} s = {total / elapsed:F1} req/s with {clients} clients; errors {errors.Values.Sum()}; load average before {loadBefore}, after {LoadAverage()}");
Console.WriteLine($"{"kind",-14} {"requests",9} {"req/s",8} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8} {"errors",7} {"same-mix p95",12} {"service p95",11} {"HTTP/service",12}");
foreach (var kind in latencies.Keys.Union(errors.Keys).Order(StringComparer.Ordinal))
{
    var l = latencies.GetValueOrDefault(kind)?.Order().ToArray() ?? [];
    var e = errors.GetValueOrDefault(kind);
    var h = sameMix.GetValueOrDefault(kind)?.Order().ToArray() ?? [];
    var s = serviceLatencies.GetValueOrDefault(kind)?.Order().ToArray() ?? [];
    string Ms(double[] a) => a.Length > 0 ? P(a, 0.95).ToString("F1", CultureInfo.InvariantCulture) : "-";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{kind,-14} {l.Length + e,9} {(l.Length + e) / elapsed,8:F1} {P(l, 0.50),8:F1} {P(l, 0.95),8:F1} {P(l, 0.99),8:F1} {(l.Length > 0 ? l[^1] : 0),8:F1} {e,7} {Ms(h),12} {Ms(s),11} {(s.Length > 0 && h.Length > 0 ? (P(h, 0.95) / P(s, 0.95)).ToString("F1", CultureInfo.InvariantCulture) + "x" : "-"),12}"));
}
if (cacheBefore is { } cb && cacheAfter is { } ca && ca.Hits + ca.Misses > cb.Hits + cb.Misses)
{
    var (hits, misses) = (ca.Hits - cb.Hits, ca.Misses - cb.Misses);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"text-embedding cache over the HTTP phase: {hits:N0} hits, {misses:N0} misses = {(double)hits / (hits + misses):P1} hit rate ({texts.Length} distinct texts; {ca.Entries} entries)"));
}
else Console.WriteLine("text-embedding cache hit rate: n/a (GET /health reports no text_embedding_cache)");
foreach (var s in errorSamples) Console.WriteLine("  error: " + s);
return 0;

// N clients send requests of the mix for the given time, over HTTP or straight to the search service; latencies of the
// answered ones and errors (HTTP only: the service throws), per kind.
async Task<(ConcurrentDictionary<string, ConcurrentBag<double>> Latencies, ConcurrentDictionary<string, int> Errors, double Seconds)> PhaseAsync(
    TimeSpan duration, bool thumbnails, bool overHttp)
{
    var latencies = new ConcurrentDictionary<string, ConcurrentBag<double>>();
    var errors = new ConcurrentDictionary<string, int>();
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
    {
        var r = new Random(1000 + c);
        while (clock.Elapsed < duration)
        {
            var (kind, url, direct) = Next(r, thumbnails);
            var t = Stopwatch.GetTimestamp();
            string? failure = null;
            if (overHttp) failure = await Send(http, url);
            else await direct!(); // thumbnails: false leaves only kinds with a direct call
            var ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            if (failure is null) latencies.GetOrAdd(kind, _ => []).Add(ms);
            else
            {
                errors.AddOrUpdate(kind, 1, (_, n) => n + 1);
                if (errorSamples.Count < 10) errorSamples.Enqueue($"{kind} {url}: {failure}");
            }
        }
    })));
    return (latencies, errors, clock.Elapsed.TotalSeconds);
}

static async Task<string?> Send(HttpClient http, string url)
{
    try
    {
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync();
        return response.IsSuccessStatusCode && body.Length > 0 ? null : $"{(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(200, body.Length)))}";
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
    {
        return e.GetType().Name + ": " + e.Message;
    }
}

// The server's text-embedding cache counters from GET /health, when it reports them.
static async Task<(long Hits, long Misses, long Entries)?> CacheCounts(HttpClient http)
{
    try
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/health"));
        if (!doc.RootElement.TryGetProperty("text_embedding_cache", out var c) || c.ValueKind != JsonValueKind.Object) return null;
        long Get(string name) => c.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : 0;
        return (Get("hits"), Get("misses"), Get("entries"));
    }
    catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
    {
        return null;
    }
}

static double P(double[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

static string LoadAverage()
{
    try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
    catch (IOException) { return "?"; }
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
