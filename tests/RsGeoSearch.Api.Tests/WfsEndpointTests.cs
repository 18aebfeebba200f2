using System.Globalization;
using System.Net;
using System.Xml.Linq;

namespace RsGeoSearch.Api.Tests;

public sealed class WfsEndpointTests : ApiTestBase
{
    private static readonly XNamespace Wfs = "http://www.opengis.net/wfs/2.0";
    private static readonly XNamespace Ows = "http://www.opengis.net/ows/1.1";
    private static readonly XNamespace Gml = "http://www.opengis.net/gml/3.2";
    private static readonly XNamespace RsGeo = "http://rsgeosearch.org/ns/rsgeo";
    private const string Get = "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature";

    private async Task<XElement> GetXmlAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"{url}: {text}");
        return XElement.Parse(text);
    }

    private async Task AssertExceptionAsync(string url, string code, string? locator = null)
    {
        using var response = await Client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(400), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/xml"));
        var e = XElement.Parse(text);
        Assert.That(e.Name, Is.EqualTo(Ows + "ExceptionReport"));
        var ex = e.Element(Ows + "Exception")!;
        Assert.That((string?)ex.Attribute("exceptionCode"), Is.EqualTo(code), text);
        if (locator is not null) Assert.That((string?)ex.Attribute("locator"), Is.EqualTo(locator).IgnoreCase, text);
        Assert.That(ex.Element(Ows + "ExceptionText")!.Value, Is.Not.Empty);
    }

    private static List<(double Lat, double Lon)> PosList(XElement member) =>
        member.Descendants(Gml + "posList").Single().Value.Split(' ').Chunk(2)
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture))).ToList();

    [Test]
    public async Task Capabilities_list_both_feature_types_with_wgs84_boxes()
    {
        var caps = await GetXmlAsync("/wfs?SERVICE=WFS&REQUEST=GetCapabilities");
        Assert.That(caps.Name, Is.EqualTo(Wfs + "WFS_Capabilities"));
        Assert.That((string?)caps.Attribute("version"), Is.EqualTo("2.0.0"));
        var types = caps.Descendants(Wfs + "FeatureType").ToList();
        Assert.That(types.Select(t => t.Element(Wfs + "Name")!.Value), Is.EquivalentTo(new[] { "rsgeo:chips", "rsgeo:scenes" }));
        foreach (var t in types)
        {
            Assert.That(t.Element(Wfs + "DefaultCRS")!.Value, Is.EqualTo("urn:ogc:def:crs:EPSG::4326"));
            Assert.That(t.Element(Ows + "WGS84BoundingBox")!.Element(Ows + "LowerCorner")!.Value.Split(' '), Has.Length.EqualTo(2));
            Assert.That(t.Descendants(Wfs + "Format").Select(f => f.Value), Does.Contain("application/json"));
        }
        Assert.That(caps.Descendants(Ows + "Constraint").Any(c => (string?)c.Attribute("name") == "ImplementsResultPaging"
                                                                  && c.Element(Ows + "DefaultValue")!.Value == "TRUE"));
    }

    [Test]
    public async Task DescribeFeatureType_is_an_xsd_with_a_polygon_property()
    {
        var xsd = await GetXmlAsync("/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=rsgeo:chips");
        XNamespace xs = "http://www.w3.org/2001/XMLSchema";
        Assert.That(xsd.Name, Is.EqualTo(xs + "schema"));
        var elements = xsd.Descendants(xs + "element").ToDictionary(e => (string)e.Attribute("name")!, e => (string)e.Attribute("type")!);
        Assert.That(elements["geometry"], Is.EqualTo("gml:PolygonPropertyType"));
        Assert.That(elements["score"], Is.EqualTo("xsd:double"));
        Assert.That(elements["chips"], Is.EqualTo("rsgeo:chipsType"));
    }

    [Test]
    public async Task GetFeature_returns_gml32_with_lat_lon_coordinates()
    {
        var fc = await GetXmlAsync(Get + "&TYPENAMES=rsgeo:chips&COUNT=3");
        Assert.That(fc.Name, Is.EqualTo(Wfs + "FeatureCollection"));
        Assert.That((int)fc.Attribute("numberReturned")!, Is.EqualTo(3));
        Assert.That((long)fc.Attribute("numberMatched")!, Is.GreaterThanOrEqualTo(3));
        var member = fc.Elements(Wfs + "member").First().Elements().Single();
        Assert.That(member.Name, Is.EqualTo(RsGeo + "chips"));
        var gmlId = (string)member.Attribute(Gml + "id")!;
        Assert.That(gmlId, Does.Match(@"^chips\.\d+$"));
        var polygon = member.Descendants(Gml + "Polygon").Single();
        Assert.That((string?)polygon.Attribute("srsName"), Is.EqualTo("urn:ogc:def:crs:EPSG::4326"));

        var id = gmlId.Split('.')[1];
        var geo = await GetJsonAsync($"/chips/{id}");
        var lonLat = geo.GetProperty("geometry").GetProperty("coordinates")[0].EnumerateArray().Select(p => (Lon: p[0].GetDouble(), Lat: p[1].GetDouble())).ToList();
        var latLon = PosList(member);
        Assert.That(latLon.Select(p => p.Lat).Min(), Is.EqualTo(lonLat.Min(p => p.Lat)).Within(1e-9), "EPSG:4326 URN puts latitude first");
        Assert.That(latLon.Select(p => p.Lon).Max(), Is.EqualTo(lonLat.Max(p => p.Lon)).Within(1e-9));
        Assert.That(member.Element(RsGeo + "scene_id")!.Value, Is.EqualTo(geo.GetProperty("properties").GetProperty("scene_id").GetInt64().ToString(CultureInfo.InvariantCulture)));

        var lonFirst = await GetXmlAsync(Get + $"&TYPENAMES=rsgeo:chips&RESOURCEID=chips.{id}&SRSNAME=EPSG:4326");
        var p = PosList(lonFirst.Descendants(RsGeo + "chips").Single());
        Assert.That(p[0].Lat, Is.EqualTo(latLon[0].Lon).Within(1e-9), "EPSG:4326 short form is lon/lat");
    }

    [Test]
    public async Task Bbox_axis_order_follows_the_crs()
    {
        var all = Features(await GetJsonAsync("/search?limit=1000"));
        var e = Envelope(all[0]);
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var lonLat = await GetXmlAsync(Get + $"&TYPENAMES=rsgeo:chips&BBOX={F(e[0])},{F(e[1])},{F(e[2])},{F(e[3])},urn:ogc:def:crs:OGC:1.3:CRS84");
        var latLon = await GetXmlAsync(Get + $"&TYPENAMES=rsgeo:chips&BBOX={F(e[1])},{F(e[0])},{F(e[3])},{F(e[2])},urn:ogc:def:crs:EPSG::4326");
        var noCrs = await GetXmlAsync(Get + $"&TYPENAMES=rsgeo:chips&BBOX={F(e[1])},{F(e[0])},{F(e[3])},{F(e[2])}");
        var shortForm = await GetXmlAsync(Get + $"&TYPENAMES=rsgeo:chips&BBOX={F(e[0])},{F(e[1])},{F(e[2])},{F(e[3])},EPSG:4326");
        var ids = (XElement x) => x.Descendants(RsGeo + "chips").Select(c => (string)c.Attribute(Gml + "id")!).OrderBy(s => s).ToList();
        Assert.That(ids(lonLat), Does.Contain($"chips.{all[0].GetProperty("id").GetInt64()}"));
        Assert.That(ids(lonLat), Has.Count.LessThan(all.Count));
        Assert.That(ids(latLon), Is.EqualTo(ids(lonLat)));
        Assert.That(ids(noCrs), Is.EqualTo(ids(lonLat)), "without a CRS the default (EPSG URN, lat/lon) applies");
        Assert.That(ids(shortForm), Is.EqualTo(ids(lonLat)));

        var filter = $"<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\" xmlns:gml=\"http://www.opengis.net/gml/3.2\"><fes:BBOX><fes:ValueReference>rsgeo:geometry</fes:ValueReference>" +
                     $"<gml:Envelope srsName=\"urn:ogc:def:crs:EPSG::4326\"><gml:lowerCorner>{F(e[1])} {F(e[0])}</gml:lowerCorner><gml:upperCorner>{F(e[3])} {F(e[2])}</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>";
        var filtered = await GetXmlAsync(Get + "&TYPENAMES=rsgeo:chips&FILTER=" + Uri.EscapeDataString(filter));
        Assert.That(ids(filtered), Is.EqualTo(ids(lonLat)), "FILTER with a BBOX, as GDAL sends for -spat");
    }

    [Test]
    public async Task Paging_hits_json_and_text_query()
    {
        var hits = await GetXmlAsync(Get + "&TYPENAMES=rsgeo:chips&RESULTTYPE=hits");
        var matched = (long)hits.Attribute("numberMatched")!;
        Assert.That((int)hits.Attribute("numberReturned")!, Is.EqualTo(0));
        var seen = new List<string>();
        for (var start = 0; start < matched; start += 5)
            seen.AddRange((await GetXmlAsync(Get + $"&TYPENAMES=rsgeo:chips&COUNT=5&STARTINDEX={start}")).Descendants(RsGeo + "chips").Select(c => (string)c.Attribute(Gml + "id")!));
        Assert.That(seen, Has.Count.EqualTo(matched).And.Unique);

        var json = await GetJsonAsync(Get + "&TYPENAMES=rsgeo:scenes&OUTPUTFORMAT=application/json");
        Assert.That(Features(json), Is.Not.Empty);
        Assert.That(Features(json)[0].GetProperty("geometry").GetProperty("type").GetString(), Is.EqualTo("Polygon"));

        var ranked = await GetXmlAsync(Get + "&TYPENAME=chips&Q=farmland&COUNT=4");
        var scores = ranked.Descendants(RsGeo + "score").Select(s => double.Parse(s.Value, CultureInfo.InvariantCulture)).ToList();
        Assert.That(scores, Has.Count.EqualTo(4));
        Assert.That(scores, Is.Ordered.Descending);
    }

    [TestCase("/wfs?REQUEST=GetCapabilities", "MissingParameterValue", "SERVICE")]
    [TestCase("/wfs?SERVICE=WMS&REQUEST=GetCapabilities", "InvalidParameterValue", "SERVICE")]
    [TestCase("/wfs?SERVICE=WFS", "MissingParameterValue", "REQUEST")]
    [TestCase("/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=Transaction", "OperationNotSupported", "REQUEST")]
    [TestCase("/wfs?SERVICE=WFS&REQUEST=GetCapabilities&ACCEPTVERSIONS=1.0.0", "VersionNegotiationFailed", "ACCEPTVERSIONS")]
    [TestCase("/wfs?SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=rsgeo:chips", "InvalidParameterValue", "VERSION")]
    [TestCase(Get, "MissingParameterValue", "TYPENAMES")]
    [TestCase(Get + "&TYPENAMES=rsgeo:rivers", "InvalidParameterValue", "TYPENAMES")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&BBOX=1,2,3", "InvalidParameterValue", "BBOX")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&BBOX=a,b,c,d", "InvalidParameterValue", "BBOX")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&BBOX=1,2,3,4,EPSG:3857", "InvalidParameterValue", "BBOX")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&BBOX=50,10,40,20", "InvalidParameterValue", "BBOX")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&COUNT=zero", "InvalidParameterValue", "COUNT")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&STARTINDEX=-1", "InvalidParameterValue", "STARTINDEX")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&OUTPUTFORMAT=shapezip", "InvalidParameterValue", "OUTPUTFORMAT")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&RESULTTYPE=all", "InvalidParameterValue", "RESULTTYPE")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&SRSNAME=EPSG:32614", "InvalidParameterValue", "SRSNAME")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&FILTER=%3CFilter%3E", "InvalidParameterValue", "FILTER")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&FILTER=%3CFilter%3E%3CPropertyIsEqualTo/%3E%3C/Filter%3E", "InvalidParameterValue", "FILTER")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&FILTER=%3C!DOCTYPE%20x%20%5B%3C!ENTITY%20e%20SYSTEM%20%22file:///etc/passwd%22%3E%5D%3E%3CFilter%3E%26e;%3C/Filter%3E", "InvalidParameterValue", "FILTER")]
    [TestCase(Get + "&TYPENAMES=(rsgeo:chips)(rsgeo:scenes)", "OperationNotSupported", "TYPENAMES")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips,rsgeo:scenes", "OperationNotSupported", "TYPENAMES")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&RESOURCEID=scenes.1", "InvalidParameterValue", "RESOURCEID")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&Q=farm&NOT=clouds,,haze", "InvalidParameterValue", "NOT")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&NOT=clouds", "InvalidParameterValue", "NOT")]
    [TestCase(Get + "&TYPENAMES=rsgeo:chips&Q=farm&MIN_RELEVANCE=2", "InvalidParameterValue", "MIN_RELEVANCE")]
    public async Task Errors_are_ows_exception_reports(string url, string code, string locator) =>
        await AssertExceptionAsync(url, code, locator);
}
