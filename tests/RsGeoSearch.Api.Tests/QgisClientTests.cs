using System.Diagnostics;
using System.Text.Json;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Api.Tests;

/// <summary>
/// QGIS (Debian's python3-qgis, headless) loads the chips layer through its OAPIF and WFS providers from a server
/// on a free loopback port: feature count, valid polygon geometry, an attribute and a rectangle filter.
/// Ignored when QGIS is not installed (apt-get install --no-install-recommends python3-qgis qgis-providers).
/// </summary>
[NonParallelizable]
public sealed class QgisClientTests
{
    [Test]
    public async Task Qgis_loads_chips_through_oapif_and_wfs()
    {
        if (!await PythonHasQgisAsync()) Assert.Ignore("QGIS is not installed (python3-qgis)");
        await using var host = await ApiHost.StartAsync(await TestCatalog.GetAsync(), new ApiOptions { Urls = [ApiHost.Loopback] }, kestrel: true);
        var matched = JsonDocument.Parse(await host.Client.GetStringAsync("/ogc/collections/chips/items?limit=1")).RootElement.GetProperty("numberMatched").GetInt64();
        var script = Path.Combine(AppContext.BaseDirectory, "qgis", "check_layers.py");
        var (code, output) = await RunAsync("/usr/bin/python3", script, host.BaseUrl, matched.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await TestContext.Out.WriteLineAsync(output);
        Assert.That(output, Does.Contain(" passed, 0 failed"), output);
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("PASS OAPIF feature count").And.Contain("PASS WFS feature count"), output);
        Assert.That(output, Does.Contain("PASS OAPIF text-search best first").And.Contain("PASS WFS text-search layer has score"), output);
    }

    private static async Task<bool> PythonHasQgisAsync() =>
        File.Exists("/usr/bin/python3") && (await RunAsync("/usr/bin/python3", "-c", "import qgis.core")).Code == 0;

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["QT_QPA_PLATFORM"] = "offscreen";
        psi.Environment["XDG_RUNTIME_DIR"] = Path.GetTempPath();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
