using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using RsGeoSearch.Api;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Search;
using RsGeoSearch.Store;

// API benchmark: requests per second and p50/p95 latency of /search and OGC items with N concurrent clients on
// loopback (a bounded run per case), next to the same query in-process (catalogue, no HTTP) and store-only
// (a precomputed vector straight to the store), all measured in this run over an ingested catalogue.
//
//   dotnet run -c Release --project bench/RsGeoSearch.Bench.Api -- [--database URL | --data-dir DIR]
//        [--model NAME] [--clients 16] [--seconds 10]
// It needs a catalogue that `rsgeo ingest` filled (the embedded database by default).

var clients = IntArg("--clients", 16);
var seconds = IntArg("--seconds", 10);
var target = DatabaseTarget.Resolve(StringArg("--database"), StringArg("--data-dir"), progress: new Progress<string>(m => Console.Error.WriteLine($"  db: {m}")));
await using var store = await target.OpenStoreAsync();
using var models = new ModelCache(ModelRegistry.Default(), StringArg("--model"));
await using var catalog = new SearchService(store, models);
var extent = await catalog.GetExtentAsync(CancellationToken.None);
if (extent.ChipCount == 0) { Console.Error.WriteLine("the catalogue is empty: run `rsgeo ingest` first"); return 1; }
var box = extent.Spatial!.Value;
var quarter = BoundingBox.Create(box.MinX, box.MinY, box.MinX + box.Width / 2, box.MinY + box.Height / 2);
var bbox = string.Create(CultureInfo.InvariantCulture, $"{quarter.MinX},{quarter.MinY},{quarter.MaxX},{quarter.MaxY}");
string[] texts = ["farmland", "a river", "dense residential area", "forest", "an airport", "a parking lot with cars", "bare land", "a port"];
Console.WriteLine($"API benchmark: {extent.ChipCount:N0} chips, model {models.DefaultModel}, {clients} clients, {seconds} s per case, {Environment.ProcessorCount} cores");

var app = RsGeoApi.Build(catalog, new ApiOptions { Urls = ["http://127.0.0.1:0"] }, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
await app.StartAsync();
var baseUrl = app.Urls.First();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { BaseAddress = new Uri(baseUrl) };

var model = models.Get(null);
var vectors = texts.Select(t => QueryVector.FromText(model, t)).ToArray();
var rows = new List<(string Name, Result R)>
{
    ("store only: top-10, vector given", await RunAsync(clients, seconds, async i => _ = await store.Chips.SearchAsync(new SearchQuery(model.Name, vectors[i % vectors.Length], Limit: 10)))),
    ("catalogue in-process: q, top-10", await RunAsync(clients, seconds, async i => _ = await catalog.SearchAsync(new CatalogQuery(Text: texts[i % texts.Length]), CancellationToken.None))),
    ("GET /search?q=&limit=10", await RunAsync(clients, seconds, i => Get(http, $"/search?q={Uri.EscapeDataString(texts[i % texts.Length])}&limit=10"))),
    ("GET /search?q=&bbox=(1/4)&limit=10", await RunAsync(clients, seconds, i => Get(http, $"/search?q={Uri.EscapeDataString(texts[i % texts.Length])}&bbox={bbox}&limit=10"))),
    ("GET /ogc/.../items?limit=10 (no q)", await RunAsync(clients, seconds, i => Get(http, $"/ogc/collections/chips/items?limit=10&offset={i % 50 * 10}"))),
    ("GET /ogc/.../items?q=&limit=100", await RunAsync(clients, seconds, i => Get(http, $"/ogc/collections/chips/items?q={Uri.EscapeDataString(texts[i % texts.Length])}&limit=100"))),
};
await app.StopAsync();

Console.WriteLine();
Console.WriteLine($"{"case",-40} {"req/s",9} {"p50 ms",8} {"p95 ms",8} {"errors",7}  vs store-only p95");
var storeP95 = rows[0].R.P95;
foreach (var (name, r) in rows)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-40} {r.Rps,9:F1} {r.P50,8:F2} {r.P95,8:F2} {r.Errors,7}  {r.P95 / storeP95,6:F1}x"));
return 0;

static async Task Get(HttpClient http, string url)
{
    using var response = await http.GetAsync(url);
    await response.Content.ReadAsByteArrayAsync();
    response.EnsureSuccessStatusCode();
}

static async Task<Result> RunAsync(int clients, int seconds, Func<int, Task> call)
{
    for (var i = 0; i < clients; i++) await call(i); // warm-up: models, connections, plans
    var latencies = new List<double>[clients];
    var errors = 0;
    var stop = Stopwatch.StartNew();
    var until = TimeSpan.FromSeconds(seconds);
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
    {
        var mine = latencies[c] = [];
        for (var i = c; stop.Elapsed < until; i += clients)
        {
            var t = Stopwatch.GetTimestamp();
            try { await call(i); mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds); }
            catch (Exception) { Interlocked.Increment(ref errors); }
        }
    })));
    var all = latencies.SelectMany(l => l).Order().ToArray();
    double P(double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(q * all.Length))];
    return new Result(all.Length / stop.Elapsed.TotalSeconds, P(0.50), P(0.95), errors);
}

int IntArg(string name, int fallback) => StringArg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
string? StringArg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

internal readonly record struct Result(double Rps, double P50, double P95, int Errors);
