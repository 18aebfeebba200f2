using System.Text;
using RsGeoSearch.Core;

namespace RsGeoSearch.Raster.Tests;

public class VectorConverterTests
{
    private const string TwoChips = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","id":7,"geometry":{"type":"Polygon","coordinates":[[[-99.1,47.0],[-99.09,47.0],[-99.09,47.01],[-99.1,47.01],[-99.1,47.0]]]},
           "properties":{"rank":1,"score":0.726,"acquired":"2016-08-16T00:00:00Z","scene":"m_4709963_se_14_1_20160816.tif","label":1}},
          {"type":"Feature","id":9,"geometry":{"type":"Polygon","coordinates":[[[-99.2,47.0],[-99.19,47.0],[-99.19,47.01],[-99.2,47.01],[-99.2,47.0]]]},
           "properties":{"rank":2,"score":0.608,"acquired":null,"scene":"1985.tif","label":0}}]}
        """;

    [Test]
    public void GeoJson_becomes_a_GeoPackage_that_ogrinfo_reads_with_every_feature_and_field()
    {
        var gpkg = new GdalVectorConverter().GeoJsonToGeoPackage(Encoding.UTF8.GetBytes(TwoChips), "results");
        Assert.That(Encoding.ASCII.GetString(gpkg, 0, 15), Is.EqualTo("SQLite format 3"));
        var file = Path.Combine(Path.GetTempPath(), $"rsgeo-export-test-{Guid.NewGuid():N}.gpkg");
        try
        {
            File.WriteAllBytes(file, gpkg);
            var info = Rasters.Run("ogrinfo", $"-al -so \"{file}\"");
            Assert.That(info, Does.Contain("Layer name: results"));
            Assert.That(info, Does.Contain("Feature Count: 2"));
            Assert.That(info, Does.Contain("Geometry: Polygon"));
            Assert.That(info, Does.Contain("score: Real"));
            Assert.That(info, Does.Contain("acquired: DateTime"));
            var rows = Rasters.Run("ogrinfo", $"-al -q -where \"score > 0.7\" \"{file}\"");
            Assert.That(rows, Does.Contain("m_4709963_se_14_1_20160816.tif").And.Not.Contain("1985.tif"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Text_that_is_not_GeoJSON_is_an_input_error_naming_GeoJSON()
    {
        var converter = new GdalVectorConverter();
        var e = Assert.Throws<RasterException>(() => converter.GeoJsonToGeoPackage("this is not json"u8, "x"));
        Assert.That(e!.Message, Does.StartWith("GeoJSON:"));
        Assert.Throws<RasterException>(() => converter.GeoJsonToGeoPackage(ReadOnlySpan<byte>.Empty, "x"));
        Assert.That(e, Is.InstanceOf<InputException>());
    }

    [Test]
    public void Repeated_exports_give_the_same_answer()
    {
        var converter = new GdalVectorConverter();
        var sizes = Enumerable.Range(0, 20).Select(_ => converter.GeoJsonToGeoPackage(Encoding.UTF8.GetBytes(TwoChips), "results").Length).ToList();
        Assert.That(sizes.Distinct().Count(), Is.EqualTo(1), string.Join(",", sizes));
    }
}
