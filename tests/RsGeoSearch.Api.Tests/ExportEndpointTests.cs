using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RsGeoSearch.Core.Features;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Core;
using RsGeoSearch.Raster;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Api.Tests;

/// <summary>POST /export/gpkg with the real GDAL converter, fed with what /search returns from the shared catalogue.</summary>
public class ExportEndpointTests : ApiTestBase
{
    [OneTimeSetUp]
    public async Task WithConverterAsync()
    {
        await Host.DisposeAsync();
        Host = await ApiHost.StartAsync(Catalog, Options, services: s => s.AddSingleton<IVectorConverter>(new GdalVectorConverter()));
    }

    private static StringContent GeoJson(string text) => new(text, Encoding.UTF8, "application/geo+json");

    [Test]
    public async Task Search_results_come_back_as_a_GeoPackage_with_one_row_per_chip()
    {
        using var search = await Client.GetAsync("/search?q=farmland&limit=7");
        var body = await search.Content.ReadAsStringAsync();
        Assert.That(search.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        using var response = await Client.PostAsync("/export/gpkg?layer=results", GeoJson(body));
        var gpkg = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), Encoding.UTF8.GetString(gpkg.Take(300).ToArray()));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/geopackage+sqlite3"));
        Assert.That(response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), Is.EqualTo("rsgeo-results.gpkg"));
        var file = Path.Combine(Path.GetTempPath(), $"rsgeo-export-api-{Guid.NewGuid():N}.gpkg");
        try
        {
            await File.WriteAllBytesAsync(file, gpkg);
            var info = Ogr("-al -so " + file);
            var count = Features(System.Text.Json.JsonDocument.Parse(body).RootElement).Count;
            Assert.That(info, Does.Contain("Layer name: results").And.Contain($"Feature Count: {count}").And.Contain("score: Real"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestCase("not json at all")]
    [TestCase("{\"type\":\"Feature\",\"geometry\":null,\"properties\":{}}")]
    [TestCase("[1,2,3]")]
    public async Task A_body_that_is_not_a_FeatureCollection_is_a_400(string text)
    {
        using var response = await Client.PostAsync("/export/gpkg", GeoJson(text));
        var problem = await AssertProblemAsync(response, 400);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("FeatureCollection").Or.Contain("not JSON"));
    }

    [Test]
    public async Task A_bad_layer_name_and_an_oversized_body_are_refused()
    {
        using var bad = await Client.PostAsync("/export/gpkg?layer=1;drop", GeoJson("{\"type\":\"FeatureCollection\",\"features\":[]}"));
        await AssertProblemAsync(bad, 400, "layer");
        var big = "{\"type\":\"FeatureCollection\",\"features\":[],\"pad\":\"" + new string('x', (int)Options.MaxUploadBytes) + "\"}";
        using var large = await Client.PostAsync("/export/gpkg", GeoJson(big));
        await AssertProblemAsync(large, 413);
    }

    [TestCase("/data/rasters/landsat-pucallpa/1985.tif", "Landsat")]
    [TestCase("/data/rasters/naip-north-dakota/m_4709963_se_14_1_20090818.tif", "NAIP")]
    [TestCase("/data/rasters/sentinel2-ireland/T29UNU_20221005T115411_TCI_60m.jp2", "Sentinel-2")]
    [TestCase("/data/rasters/rapideye-sanfrancisco/1056417_2017-03-08_RE3_3A_Visual_clip.tif", "RapidEye")]
    [TestCase("/data/rasters/spacenet-atlanta/sample_geotiff.tif", "WorldView")]
    [TestCase("/data/elsewhere/scene.tif", null)]
    public void Scenes_name_their_sensor_from_file_and_folder_names(string uri, string? sensor) =>
        Assert.That(SensorName.Guess(uri), Is.EqualTo(sensor));

    [Test]
    public async Task An_unknown_model_names_the_known_ones_but_no_server_folder()
    {
        var problem = await GetProblemAsync("/search?q=farmland&model=no-such-model", 400);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.That(detail, Does.Contain("no-such-model"));
        Assert.That(detail, Does.Not.Contain("/root").And.Not.Contain("/work").And.Not.Contain("/home").And.Not.Contain("/tmp"), detail);
    }

    [TestCase("Searched: /root/.local/share/rsgeo/models, /work/x/models (set X)", "Searched: (a server folder), (a server folder) (set X)")]
    [TestCase("model folder not found: C:\\data\\models", "model folder not found: (a server folder)")]
    [TestCase("datetime 2019-01-01/2020-01-01 is empty; bbox -1,2,3,4 and 1/2", "datetime 2019-01-01/2020-01-01 is empty; bbox -1,2,3,4 and 1/2")]
    public void Server_paths_are_hidden_and_nothing_else(string text, string expected) =>
        Assert.That(ServerPaths.Hide(text), Is.EqualTo(expected));

    private static string Ogr(string arguments)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ogrinfo", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.EqualTo(0), p.StandardError.ReadToEnd());
        return output;
    }
}
