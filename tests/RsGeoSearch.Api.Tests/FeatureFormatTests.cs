using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using RsGeoSearch.Core.Features;
using RsGeoSearch.Api.Ogc;
using RsGeoSearch.Api.Wfs;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Tests;

/// <summary>
/// The GeoJSON, GML and XSD written from the feature schema, byte for byte, for fixed chips, scenes and changes (no
/// database). The files under Formats/ are what the writers produced before one schema drove them, except that every
/// GeoJSON number now has a decimal point (0.0, 1.0: OGR types the field Real). RSGEO_WRITE_FORMATS=1 rewrites them.
/// </summary>
public sealed class FeatureFormatTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    private static Polygon Box(double x0, double y0, double x1, double y1, bool clockwise = false)
    {
        Coordinate[] ring = [new(x0, y0), new(x1, y0), new(x1, y1), new(x0, y1), new(x0, y0)];
        return Factory.CreatePolygon(clockwise ? ring.Reverse().ToArray() : ring);
    }

    private static readonly DateTimeOffset T1 = new(2016, 8, 16, 17, 5, 3, TimeSpan.FromHours(2));

    private static readonly ChipRecord A = new(12, 3, "/data/naip/m_4609901_ne_14_1_20160816.tif", 0, 4, 7, new PixelWindow(1024, 1792, 256, 256),
        Box(-99.25, 46.9, -99.2, 46.95, clockwise: true), T1, 0.123456789);
    private static readonly ChipRecord B = new(345, 4, "C:\\imagery\\LC08_scene.tif", 1, 0, 2, new PixelWindow(0, 1024, 512, 512),
        Box(-99.3, 46.92, -99.21, 46.99), null, 0);

    private static readonly ScoredChip[] Chips =
    [
        new(A, 0.31415926535, 0.87654321, [new PlaceDate(40, T1.AddYears(-2), 0.2718281828, 0.4), new PlaceDate(41, null, -0.0000012, null)]),
        new(B, null),
        new(B with { Footprint = null }, 1e-7, 0.5),
    ];

    private static readonly SceneRecord[] Scenes =
    [
        new(3, "/data/naip/m_4609901_ne_14_1_20160816.tif", T1, AcquisitionSource.Metadata, Box(-99.3, 46.9, -99.1, 47.0), "EPSG:26914", 5000, 6000, 4, 120),
        new(4, "/x/y/odd\u0001name.tif/", null, AcquisitionSource.Unknown, null, null, 10, 20, 1, 0),
    ];

    private static readonly ChangeRecord[] Changes =
    [
        new(A, B, 0.4, 0.123456789, 1.987654321, null, 1, Box(-99.25, 46.9, -99.2, 46.95)),
        new(B, A, 0.2, 0.5, null, -0.25, 0.61234567, null),
    ];

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true })) write(w);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Xml(byte[] bytes) =>
        System.Text.RegularExpressions.Regex.Replace(Encoding.UTF8.GetString(bytes), "timeStamp=\"[^\"]*\"", "timeStamp=\"T\"");

    public static IEnumerable<TestCaseData> Outputs()
    {
        yield return new TestCaseData("chips-ranked.json", (Func<string>)(() => Json(w =>
        {
            w.WriteStartArray();
            foreach (var c in Chips) FeatureJson.WriteChip(w, c, "http://h:1", withScore: true);
            w.WriteEndArray();
        })));
        yield return new TestCaseData("chips.json", (Func<string>)(() => Json(w =>
        {
            w.WriteStartArray();
            foreach (var c in Chips) FeatureJson.WriteChip(w, c, "", withScore: false);
            w.WriteEndArray();
        })));
        yield return new TestCaseData("scenes.json", (Func<string>)(() => Json(w =>
        {
            w.WriteStartArray();
            foreach (var s in Scenes) FeatureJson.WriteScene(w, s);
            w.WriteEndArray();
        })));
        yield return new TestCaseData("changes.json", (Func<string>)(() => Json(w =>
        {
            w.WriteStartArray();
            foreach (var c in Changes) FeatureJson.WriteChange(w, c, "http://h:1");
            w.WriteEndArray();
        })));
        yield return new TestCaseData("chips-lonlat.gml", (Func<string>)(() =>
            Xml(GmlWriter.Chips(Chips, 7, "urn:ogc:def:crs:OGC:1.3:CRS84", false, "http://h:1", "http://h:1/wfs?schema", new GmlWriter.Paging("n", null)))));
        yield return new TestCaseData("chips-latlon.gml", (Func<string>)(() =>
            Xml(GmlWriter.Chips(Chips, 3, "urn:ogc:def:crs:EPSG::4326", true, "", "s"))));
        yield return new TestCaseData("scenes.gml", (Func<string>)(() =>
            Xml(GmlWriter.Scenes(Scenes, 2, "urn:ogc:def:crs:EPSG::4326", true, "s", new GmlWriter.Paging(null, "p")))));
        yield return new TestCaseData("schema.xsd", (Func<string>)(() => Xml(WfsXml.Schema(["chips", "scenes"]))));
    }

    [TestCaseSource(nameof(Outputs))]
    public void Writers_produce_the_recorded_bytes(string file, Func<string> write)
    {
        var path = Path.Combine(SourceFolder(), "Formats", file);
        var actual = write();
        if (Environment.GetEnvironmentVariable("RSGEO_WRITE_FORMATS") == "1") File.WriteAllText(path, actual);
        Assert.That(actual, Is.EqualTo(File.ReadAllText(path)), file);
    }

    private static string SourceFolder([System.Runtime.CompilerServices.CallerFilePath] string here = "") => Path.GetDirectoryName(here)!;
}
