using System.Net;
using System.Xml.Linq;
using RsGeoSearch.Api;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Search;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Reliability.Tests;

/// <summary>
/// A raster whose file name holds control characters (legal on Linux) is ingested, and every output that names its
/// scene stays well-formed: WFS GML (XML cannot carry such characters), GeoJSON and the OGC HTML pages.
/// </summary>
[TestFixture]
public sealed class ControlCharacterNameTests
{
    [Test]
    public async Task SceneNamesWithControlCharactersGiveWellFormedOutputs()
    {
        var dir = Directory.CreateTempSubdirectory("rsgeo-ctlname-").FullName;
        try
        {
            var source = Directory.GetFiles(SharedData.Path("rasters", "aerial-colorado"), "*.tif").Single();
            var name = Path.Combine(dir, "bell\u0007 esc\u001b[31m tab\t.tif");
            File.Copy(source, name);
            await using var db = await TestDatabase.StartAsync();
            using var models = new ModelCache(new ModelRegistry([]), TestModels.TinyClip);
            var report = await new IngestPipeline(db.Store, models.Get(null)).RunAsync([name]);
            Assert.That(report.Failures, Is.Empty);
            await using var catalog = new SearchService(db.Store, models);
            await using var host = await ApiHost.StartAsync(catalog, new ApiOptions(), captureLogs: true);

            foreach (var type in new[] { "rsgeo:scenes", "rsgeo:chips" })
            {
                using var gml = await host.Client.GetAsync($"/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES={type}");
                var text = await gml.Content.ReadAsStringAsync();
                Assert.That(gml.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
                var doc = XDocument.Parse(text);
                Assert.That(doc.Root!.Attribute("numberReturned")!.Value, Is.Not.EqualTo("0"), type);
            }
            foreach (var url in new[] { "/scenes", "/ogc/collections/scenes/items", "/ogc/collections/scenes/items?f=html", "/ogc/collections/chips/items?f=html" })
            {
                using var response = await host.Client.GetAsync(url);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
