using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Api.Tests;

/// <summary>
/// Real clients nobody here wrote: GDAL's OGR drivers (ogrinfo from gdal-bin) read the running server on a free
/// loopback port through OGC API - Features (OAPIF) and WFS 2.0.
/// </summary>
[NonParallelizable]
public sealed class OgrClientTests
{
    private ApiHost host = null!;
    private long chipCount;
    private double[] firstChipBox = [];
    private long firstChipId;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        if (!File.Exists("/usr/bin/ogrinfo")) Assert.Ignore("ogrinfo (gdal-bin) is not installed");
        host = await ApiHost.StartAsync(await TestCatalog.GetAsync(), new ApiOptions { Urls = [ApiHost.Loopback] }, kestrel: true);
        var fc = JsonDocument.Parse(await host.Client.GetStringAsync("/ogc/collections/chips/items?limit=1000")).RootElement;
        chipCount = fc.GetProperty("numberMatched").GetInt64();
        var first = fc.GetProperty("features")[0];
        firstChipId = first.GetProperty("id").GetInt64();
        var ring = first.GetProperty("geometry").GetProperty("coordinates")[0].EnumerateArray().Select(p => (X: p[0].GetDouble(), Y: p[1].GetDouble())).ToList();
        firstChipBox = [ring.Min(p => p.X), ring.Min(p => p.Y), ring.Max(p => p.X), ring.Max(p => p.Y)];
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (host is not null) await host.DisposeAsync();
    }

    [Test]
    public async Task Oapif_lists_both_layers_with_feature_counts_and_fields()
    {
        var output = await OgrInfoAsync("-ro", "-al", "-so", $"OAPIF:{host.BaseUrl}/ogc");
        await TestContext.Out.WriteLineAsync(output);
        Assert.That(output, Does.Contain("Layer name: chips").And.Contain("Layer name: scenes"), output);
        Assert.That(output, Does.Contain($"Feature Count: {chipCount}"), output);
        Assert.That(output, Does.Contain("Geometry: Polygon").Or.Contain("Geometry: Unknown (any)"), output);
        Assert.That(output, Does.Contain("scene_id: Integer").And.Contain("thumbnail: String").And.Contain("acquired: DateTime"), output);
        Assert.That(output, Does.Contain("Extent: ("), output);
    }

    [Test]
    public async Task Oapif_reads_every_chip_with_geometry_through_paging_and_honours_spat()
    {
        var all = await OgrInfoAsync("-ro", "-q", "--config", "OAPIF_PAGE_SIZE", "7", $"OAPIF:{host.BaseUrl}/ogc", "chips");
        Assert.That(Count(all, "POLYGON (("), Is.EqualTo(chipCount), all);
        Assert.That(all, Does.Contain($"OGRFeature(chips):{firstChipId}"), all);

        var b = firstChipBox;
        var spat = await OgrInfoAsync("-ro", "-q", "-spat", F(b[0]), F(b[1]), F(b[2]), F(b[3]), $"OAPIF:{host.BaseUrl}/ogc", "chips");
        var n = Count(spat, "POLYGON ((");
        Assert.That(n, Is.GreaterThan(0).And.LessThan(chipCount), spat);
        Assert.That(spat, Does.Contain($"OGRFeature(chips):{firstChipId}"), spat);
    }

    [Test]
    public async Task Wfs_lists_layers_and_reads_features_with_attributes_and_spat()
    {
        var summary = await OgrInfoAsync("-ro", "-al", "-so", $"WFS:{host.BaseUrl}/wfs");
        await TestContext.Out.WriteLineAsync(summary);
        Assert.That(summary, Does.Contain("Layer name: rsgeo:chips").And.Contain("Layer name: rsgeo:scenes"), summary);
        Assert.That(summary, Does.Contain($"Feature Count: {chipCount}"), summary);
        Assert.That(summary, Does.Contain("Geometry: Polygon").Or.Contain("Geometry: Curve Polygon"), summary);
        Assert.That(summary, Does.Contain("scene_id: Integer64").Or.Contain("scene_id: Integer"), summary);

        var all = await OgrInfoAsync("-ro", "-q", $"WFS:{host.BaseUrl}/wfs", "rsgeo:chips");
        Assert.That(Count(all, "POLYGON (("), Is.EqualTo(chipCount), all);
        Assert.That(all, Does.Contain($"gml_id (String) = chips.{firstChipId}"), all);

        var b = firstChipBox;
        var spat = await OgrInfoAsync("-ro", "-q", "-spat", F(b[0]), F(b[1]), F(b[2]), F(b[3]), $"WFS:{host.BaseUrl}/wfs", "rsgeo:chips");
        var n = Count(spat, "POLYGON ((");
        Assert.That(n, Is.GreaterThan(0).And.LessThan(chipCount), spat);
        Assert.That(spat, Does.Contain($"chips.{firstChipId}"), spat);
        // Coordinates come back longitude first in OGR, whatever the server's axis order.
        Assert.That(spat, Does.Contain($"POLYGON (({F(Math.Round(b[0], 9))}").Or.Contain($" {F(Math.Round(b[0], 9))} "), spat);
    }

    [Test]
    public async Task Oapif_text_search_connection_url_gives_ranked_chips_with_score_best_first()
    {
        // The connection URL carries q; GDAL appends it to the landing, conformance, collections and items requests.
        var output = await OgrInfoAsync("-ro", "--config", "OAPIF_PAGE_SIZE", "7", $"OAPIF:{host.BaseUrl}/ogc?q=farmland", "chips");
        Assert.That(output, Does.Contain("score: Real"), output);
        var scores = Values(output, "score (Real) = ").Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
        Assert.That(scores, Has.Count.EqualTo(chipCount), "paging through next to the end");
        Assert.That(scores, Is.Ordered.Descending);
        var fids = Values(output, "OGRFeature(chips):");
        Assert.That(fids, Is.Unique);

        var ranked = await host.Client.GetStringAsync("/ogc/collections/chips/items?q=farmland&limit=1");
        var best = JsonDocument.Parse(ranked).RootElement.GetProperty("features")[0].GetProperty("id").GetInt64();
        Assert.That(fids[0], Is.EqualTo(best.ToString(CultureInfo.InvariantCulture)));

        // Every layer of the same connection still opens (scenes ignore q).
        var layers = await OgrInfoAsync("-ro", "-al", "-so", $"OAPIF:{host.BaseUrl}/ogc?q=farmland");
        Assert.That(layers, Does.Contain("Layer name: chips").And.Contain("Layer name: scenes").And.Contain("Layer name: changes"), layers);
    }

    [Test]
    public async Task Ogr2ogr_copies_a_whole_text_search_connection_over_wfs_and_oapif()
    {
        var dir = Directory.CreateTempSubdirectory("rsgeo-ogr2ogr-");
        try
        {
            foreach (var (name, source) in new[] { ("wfs.gpkg", $"WFS:{host.BaseUrl}/wfs?Q=farmland"), ("oapif.gpkg", $"OAPIF:{host.BaseUrl}/ogc?q=farmland") })
            {
                var target = Path.Combine(dir.FullName, name);
                await RunAsync("/usr/bin/ogr2ogr", "-f", "GPKG", target, source);
                var info = await OgrInfoAsync("-ro", "-so", "-al", target);
                Assert.That(info, Does.Contain("score: Real"), info);
                Assert.That(info, Does.Contain($"Feature Count: {chipCount}"), info);
                Assert.That(info, Does.Contain("scenes"), info);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Where_clauses_run_on_the_server_for_both_drivers()
    {
        var all = JsonDocument.Parse(await host.Client.GetStringAsync("/ogc/collections/chips/items?limit=1000")).RootElement.GetProperty("features").EnumerateArray().ToList();
        var acquired = all[0].GetProperty("properties").GetProperty("acquired").GetString()!;
        var level = all[0].GetProperty("properties").GetProperty("level").GetInt32();
        var scene = all[0].GetProperty("properties").GetProperty("scene").GetString()!;
        var expected = all.Count(f => f.GetProperty("properties").GetProperty("level").GetInt32() == level
                                     && f.GetProperty("properties").GetProperty("scene").GetString() == scene);
        var where = $"level = {level} AND scene = '{scene}'";
        Assert.That(expected, Is.GreaterThan(0).And.LessThan(all.Count));

        var wfs = await OgrInfoAsync(debug: true, "-ro", "-q", "-where", where, $"WFS:{host.BaseUrl}/wfs", "rsgeo:chips");
        Assert.That(Count(wfs, "POLYGON (("), Is.EqualTo(expected), wfs);
        Assert.That(wfs, Does.Not.Contain("client-side"), wfs);
        Assert.That(wfs, Does.Contain("FILTER=").IgnoreCase, "the filter went to the server");

        var oapif = await OgrInfoAsync(debug: true, "-ro", "-q", "-where", where, $"OAPIF:{host.BaseUrl}/ogc", "chips");
        Assert.That(Count(oapif, "POLYGON (("), Is.EqualTo(expected), oapif);
        Assert.That(oapif, Does.Not.Contain("client side"), oapif);
        Assert.That(oapif, Does.Contain("filter="), "the filter went to the server");

        // With a text-search connection the score is a queryable too.
        var scored = await OgrInfoAsync(debug: true, "-ro", "-q", "-where", $"score > -1 AND level = {level}", $"OAPIF:{host.BaseUrl}/ogc?q=farmland", "chips");
        Assert.That(Count(scored, "POLYGON (("), Is.EqualTo(all.Count(f => f.GetProperty("properties").GetProperty("level").GetInt32() == level)), scored);
        Assert.That(scored, Does.Not.Contain("client side"), scored);

        var later = all.Count(f => string.CompareOrdinal(f.GetProperty("properties").GetProperty("acquired").GetString(), acquired) > 0);
        var time = await OgrInfoAsync(debug: true, "-ro", "-q", "-where", $"acquired > '{acquired}'", $"WFS:{host.BaseUrl}/wfs", "rsgeo:chips");
        Assert.That(Count(time, "POLYGON (("), Is.EqualTo(later), time);
        Assert.That(time, Does.Not.Contain("client-side"), time);
    }

    [Test]
    public async Task Wfs_stored_query_and_sql_order_by_through_gdal()
    {
        var byId = await OgrInfoAsync("-ro", "-q", $"WFS:{host.BaseUrl}/wfs", "-sql", $"SELECT * FROM \"rsgeo:chips\" WHERE gml_id = 'chips.{firstChipId}'");
        Assert.That(Count(byId, "POLYGON (("), Is.EqualTo(1), byId);
        var sorted = await OgrInfoAsync(debug: true, "-ro", "-q", $"WFS:{host.BaseUrl}/wfs", "-sql", "SELECT * FROM \"rsgeo:chips\" ORDER BY acquired DESC");
        var times = Values(sorted, "acquired (DateTime) = ");
        Assert.That(times, Has.Count.EqualTo(chipCount));
        Assert.That(times, Is.Ordered.Descending);
        Assert.That(sorted, Does.Contain("SORTBY=").IgnoreCase, "sorted by the server");
    }

    private static List<string> Values(string output, string prefix) =>
        output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..].Trim()).ToList();

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static int Count(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    private static Task<string> OgrInfoAsync(params string[] args) => RunAsync("/usr/bin/ogrinfo", false, args);

    private static Task<string> OgrInfoAsync(bool debug, params string[] args) => RunAsync("/usr/bin/ogrinfo", debug, args);

    private static Task<string> RunAsync(string tool, params string[] args) => RunAsync(tool, false, args);

    private static async Task<string> RunAsync(string tool, bool debug, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GDAL_HTTP_TIMEOUT"] = "60";
        psi.Environment["CPL_DEBUG"] = debug ? "ON" : "OFF";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        var output = await stdout + await stderr;
        Assert.That(process.ExitCode, Is.EqualTo(0), $"{Path.GetFileName(tool)} {string.Join(' ', args)}\n{output}");
        return output;
    }
}
