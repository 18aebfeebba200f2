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

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static int Count(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    private static async Task<string> OgrInfoAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/ogrinfo") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GDAL_HTTP_TIMEOUT"] = "60";
        psi.Environment["CPL_DEBUG"] = "OFF";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        var output = await stdout + await stderr;
        Assert.That(process.ExitCode, Is.EqualTo(0), $"ogrinfo {string.Join(' ', args)}\n{output}");
        return output;
    }
}
