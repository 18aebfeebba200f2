using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Npgsql;
using RsGeoSearch.Api;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Reliability.Tests;

/// <summary>
/// 2,400 seeded requests across every HTTP endpoint with valid and hostile parameters against the real catalogue:
/// no 5xx, every error a problem document (or an OWS ExceptionReport under /wfs) without stack traces, no file
/// contents leaked, no error logged, and the stored rows (scenes, chips, embeddings, models) exactly as before.
/// </summary>
[TestFixture]
public sealed class EndpointFuzzTests
{
    private const int Seed = 20241122;
    private const int Requests = 2400;
    private const string Key = "fuzz-key-6b1f0c2e9a7d4410";

    [Test]
    public async Task GeneratedRequestsNeverGet5xxAndNeverChangeStoredData()
    {
        var catalog = await ReliabilityCatalog.GetAsync();
        var options = new ApiOptions { ApiKey = Key, MaxUploadBytes = 256 * 1024, MaxLimit = 1000, Urls = ["http://127.0.0.1:0"] };
        await using var host = await ApiHost.StartAsync(catalog.Catalog, options, captureLogs: true);
        // The test server's client refuses some paths before they reach the app (e.g. %00 in the path): those go to
        // the same app on Kestrel, whose real HTTP parser answers them.
        await using var kestrel = await ApiHost.StartAsync(catalog.Catalog, options, kestrel: true, captureLogs: true);
        var viaKestrel = 0;
        var rejectedByKestrel = 0;
        var facts = await FactsAsync(catalog, host.Client);
        var before = await StoreSnapshot.TakeAsync(catalog.Database.ConnectionString);
        Assert.That(before.Rows("chips"), Is.GreaterThan(100));

        var requests = new FuzzRequests(Seed, facts).Generate(Requests).ToList();
        var statuses = new ConcurrentDictionary<string, int>();
        var byEndpoint = new ConcurrentDictionary<string, ConcurrentDictionary<int, int>>();
        var problems = new ConcurrentQueue<string>();
        var sample4xx = new ConcurrentDictionary<string, string>();
        var unsendable = 0;
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (r, ct) =>
        {
            Uri uri;
            try { uri = new Uri(r.PathAndQuery, UriKind.Relative); }
            catch (UriFormatException) { Interlocked.Increment(ref unsendable); return; }
            HttpRequestMessage Message()
            {
                var message = new HttpRequestMessage(r.Method, uri) { Content = r.Body() };
                if (r.ApiKey is not null) message.Headers.TryAddWithoutValidation("X-API-Key", r.ApiKey);
                return message;
            }
            HttpResponseMessage response;
            var kestrelOnly = false;
            try
            {
                using var message = Message();
                response = await host.Client.SendAsync(message, ct);
            }
            catch (InvalidOperationException e) when (e.StackTrace?.Contains("TestHost.ClientHandler", StringComparison.Ordinal) == true
                                                      && e.StackTrace.Contains("UrlDecoder", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref viaKestrel);
                kestrelOnly = true;
                using var message = Message();
                response = await kestrel.Client.SendAsync(message, ct);
            }
            using var _ = response;
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(ct);
            statuses.AddOrUpdate($"{status / 100}xx", 1, (_, n) => n + 1);
            byEndpoint.GetOrAdd(r.Endpoint, _ => new()).AddOrUpdate(status, 1, (_, n) => n + 1);
            var type = response.Content.Headers.ContentType?.MediaType;
            if (status is >= 400 and < 500 and not 405) sample4xx.TryAdd(r.Endpoint, $"{status} {Shorten(r.PathAndQuery)} → {Shorten(body)}");
            string? problem = null;
            if (status >= 500) problem = "5xx";
            else if (body.Contains("root:x:0:0", StringComparison.Ordinal)) problem = "leaked /etc/passwd";
            else if (body.Contains("   at RsGeoSearch", StringComparison.Ordinal) || body.Contains("   at System.", StringComparison.Ordinal)) problem = "stack trace";
            else if (kestrelOnly && status is 400 or 414 && body.Length == 0)
                Interlocked.Increment(ref rejectedByKestrel); // refused by Kestrel's HTTP parser (bad request line, URI too long) before the app
            else if (status >= 400 && status != 405 && r.Method != HttpMethod.Head)
            {
                var wfs = r.PathAndQuery.StartsWith("/wfs", StringComparison.Ordinal);
                if (wfs && !body.Contains("ExceptionReport", StringComparison.Ordinal)) problem = "WFS error without an ExceptionReport";
                if (!wfs && type != "application/problem+json") problem = $"error as {type ?? "no content type"}";
                if (!wfs && body.Contains("Exception", StringComparison.Ordinal)) problem = "exception name in a problem";
            }
            if (problem is not null)
                problems.Enqueue($"{problem}: {r.Method} {Shorten(r.PathAndQuery)} → {status} {Shorten(body)}");
        });

        var sent = requests.Count - unsendable;
        TestContext.Out.WriteLine($"{sent} requests sent ({viaKestrel} of them to Kestrel, which refused {rejectedByKestrel} in its HTTP parser; {unsendable} not expressible as a URI), seed {Seed}: " +
            string.Join(", ", statuses.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}")));
        foreach (var (endpoint, codes) in byEndpoint.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            TestContext.Out.WriteLine($"  {endpoint,-34} " + string.Join(" ", codes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}:{kv.Value}")));
        foreach (var (endpoint, sample) in sample4xx.OrderBy(kv => kv.Key, StringComparer.Ordinal)) TestContext.Out.WriteLine($"  e.g. {endpoint}: {sample}");
        foreach (var p in problems.Take(30)) TestContext.Out.WriteLine("  PROBLEM " + p);

        Assert.That(sent, Is.GreaterThanOrEqualTo(2000));
        Assert.That(statuses.GetValueOrDefault("5xx"), Is.Zero, "no request may get a 5xx");
        Assert.That(problems, Is.Empty);
        Assert.That(statuses.GetValueOrDefault("2xx"), Is.GreaterThan(200), "enough valid requests got through to exercise the handlers");
        Assert.That(statuses.GetValueOrDefault("4xx"), Is.GreaterThan(200));
        Assert.That(byEndpoint.Keys, Is.SupersetOf(new[] { "/search", "/wfs", "/ogc/collections/{c}/items", "/chips/{id}.png", "/classify", "/embed" }));
        var errors = host.Logs!.AtLeast(LogLevel.Error).Concat(kestrel.Logs!.AtLeast(LogLevel.Error)).ToList();
        Assert.That(errors, Is.Empty, "nothing was logged as an unhandled error");

        var after = await StoreSnapshot.TakeAsync(catalog.Database.ConnectionString);
        Assert.That(after.SameAs(before), Is.True, $"before {before}\nafter  {after}");
        using var health = await host.Client.GetAsync("/health");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the service still answers");
        using var search = await host.Client.GetAsync("/search?q=farmland&limit=5");
        Assert.That(await search.Content.ReadAsStringAsync(), Does.Contain("\"Feature\""));
    }

    private static async Task<FuzzRequests.Facts> FactsAsync(IngestedCatalog catalog, HttpClient client)
    {
        await using var connection = new NpgsqlConnection(catalog.Database.ConnectionString);
        await connection.OpenAsync();
        async Task<List<long>> Ids(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, connection);
            await using var reader = await cmd.ExecuteReaderAsync();
            var ids = new List<long>();
            while (await reader.ReadAsync()) ids.Add(reader.GetInt64(0));
            return ids;
        }
        var chips = await Ids("SELECT id FROM rsgeo.chips ORDER BY id");
        var scenes = await Ids("SELECT id FROM rsgeo.scenes ORDER BY id");
        var extent = await catalog.Catalog.GetExtentAsync(CancellationToken.None);
        var b = extent.Spatial!.Value;
        var bbox = string.Create(CultureInfo.InvariantCulture, $"{b.MinX},{b.MinY},{b.MinX + b.Width / 2},{b.MinY + b.Height / 2}");
        var interval = $"{extent.Start:yyyy-MM-dd}/{extent.Start!.Value.AddYears(5):yyyy-MM-dd}";
        var png = await client.GetByteArrayAsync($"/chips/{chips[0]}.png?size=64");
        return new FuzzRequests.Facts(chips, scenes, bbox, interval, catalog.Model.Name, png, Key);
    }

    private static string Shorten(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
