using System.Net;
using System.Xml.Linq;

namespace RsGeoSearch.Api.Tests;

/// <summary>
/// WFS 2.0 Simple conformance and the FES 2.0 filters, against the real catalogue: stored queries, filters run
/// in SQL, SORTBY, PROPERTYNAME, next/previous paging, FEATUREID, one query per request.
/// </summary>
public sealed class WfsConformanceTests : ApiTestBase
{
    private static readonly XNamespace Wfs = "http://www.opengis.net/wfs/2.0";
    private static readonly XNamespace Ows = "http://www.opengis.net/ows/1.1";
    private static readonly XNamespace Fes = "http://www.opengis.net/fes/2.0";
    private static readonly XNamespace Gml = "http://www.opengis.net/gml/3.2";
    private static readonly XNamespace RsGeo = "http://rsgeosearch.org/ns/rsgeo";
    private const string Base = "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=";
    private const string GetChips = Base + "GetFeature&TYPENAMES=rsgeo:chips";
    private const string FesNs = "xmlns:fes=\"http://www.opengis.net/fes/2.0\" xmlns:gml=\"http://www.opengis.net/gml/3.2\"";

    private async Task<(HttpStatusCode Status, XElement Xml)> GetAsync(string url)
    {
        using var response = await Client.GetAsync(url);
        return (response.StatusCode, XElement.Parse(await response.Content.ReadAsStringAsync()));
    }

    private async Task<XElement> OkAsync(string url)
    {
        var (status, xml) = await GetAsync(url);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), $"{url}: {xml}");
        return xml;
    }

    private static List<XElement> Members(XElement fc) => fc.Elements(Wfs + "member").Select(m => m.Elements().Single()).ToList();
    private static string Id(XElement feature) => (string)feature.Attribute(Gml + "id")!;
    private static string Value(XElement feature, string name) => feature.Element(RsGeo + name)?.Value ?? "";
    private static string Filter(string inner) => "&FILTER=" + Uri.EscapeDataString($"<fes:Filter {FesNs}>{inner}</fes:Filter>");

    [Test]
    public async Task Capabilities_declare_stored_queries_and_exactly_the_supported_filters()
    {
        var caps = await OkAsync("/wfs?SERVICE=WFS&REQUEST=GetCapabilities");
        var operations = caps.Descendants(Ows + "Operation").Select(o => (string)o.Attribute("name")!).ToList();
        Assert.That(operations, Does.Contain("ListStoredQueries").And.Contain("DescribeStoredQueries"));
        var comparison = caps.Descendants(Fes + "ComparisonOperator").Select(o => (string)o.Attribute("name")!).ToList();
        Assert.That(comparison, Is.EquivalentTo(new[] { "PropertyIsEqualTo", "PropertyIsNotEqualTo", "PropertyIsLessThan", "PropertyIsGreaterThan",
            "PropertyIsLessThanOrEqualTo", "PropertyIsGreaterThanOrEqualTo", "PropertyIsLike", "PropertyIsNull", "PropertyIsBetween" }));
        Assert.That(caps.Descendants(Fes + "SpatialOperator").Select(o => (string)o.Attribute("name")!), Does.Contain("BBOX").And.Contain("Intersects").And.Contain("Within"));
        Assert.That(caps.Descendants(Fes + "TemporalOperator").Select(o => (string)o.Attribute("name")!), Does.Contain("During").And.Contain("After").And.Contain("Before"));
        Assert.That(caps.Descendants(Fes + "Constraint").Single(c => (string?)c.Attribute("name") == "ImplementsSorting").Element(Ows + "DefaultValue")!.Value, Is.EqualTo("TRUE"));

        var list = await OkAsync(Base + "ListStoredQueries");
        Assert.That(list.Elements(Wfs + "StoredQuery").Select(q => (string)q.Attribute("id")!), Is.EqualTo(new[] { "urn:ogc:def:query:OGC-WFS::GetFeatureById" }));
        var describe = await OkAsync(Base + "DescribeStoredQueries&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById");
        Assert.That(describe.Descendants(Wfs + "Parameter").Select(p => (string)p.Attribute("name")!), Is.EqualTo(new[] { "ID" }));
        var (status, unknown) = await GetAsync(Base + "DescribeStoredQueries&STOREDQUERY_ID=urn:x:nothing");
        Assert.That((int)status, Is.EqualTo(400));
        Assert.That(unknown.Name, Is.EqualTo(Ows + "ExceptionReport"));
    }

    [Test]
    public async Task GetFeatureById_returns_the_feature_alone_or_a_404_not_found()
    {
        var first = Members(await OkAsync(GetChips + "&COUNT=1"))[0];
        var feature = await OkAsync(Base + "GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById&ID=" + Id(first));
        Assert.That(feature.Name, Is.EqualTo(RsGeo + "chips"));
        Assert.That(Id(feature), Is.EqualTo(Id(first)));
        Assert.That(feature.Descendants(Gml + "posList").Single().Value, Is.EqualTo(first.Descendants(Gml + "posList").Single().Value));
        foreach (var id in new[] { "chips.999999999", "nothing" })
        {
            var (status, report) = await GetAsync(Base + "GetFeature&STOREDQUERY_ID=urn:ogc:def:query:OGC-WFS::GetFeatureById&ID=" + id);
            Assert.That((int)status, Is.EqualTo(404), id);
            Assert.That((string?)report.Element(Ows + "Exception")!.Attribute("exceptionCode"), Is.EqualTo("NotFound"));
        }
    }

    [Test]
    public async Task Fes_filters_run_in_sql_and_agree_with_the_full_layer()
    {
        var all = Members(await OkAsync(GetChips));
        var level = Value(all[0], "level");
        var acquired = Value(all[0], "acquired");
        var scene = Value(all[0], "scene");
        var expected = all.Where(f => Value(f, "level") == level && string.CompareOrdinal(Value(f, "acquired"), acquired) >= 0).Select(Id).ToList();
        var filtered = await OkAsync(GetChips + Filter($"""
            <fes:And>
              <fes:PropertyIsEqualTo><fes:ValueReference>rsgeo:level</fes:ValueReference><fes:Literal>{level}</fes:Literal></fes:PropertyIsEqualTo>
              <fes:Not><fes:PropertyIsLessThan><fes:ValueReference>acquired</fes:ValueReference><fes:Literal>{acquired}</fes:Literal></fes:PropertyIsLessThan></fes:Not>
            </fes:And>
            """));
        Assert.That(Members(filtered).Select(Id), Is.EquivalentTo(expected));
        Assert.That((string?)filtered.Attribute("numberMatched"), Is.EqualTo(expected.Count.ToString()));

        var like = await OkAsync(GetChips + Filter($"<fes:PropertyIsLike wildCard=\"*\" singleChar=\".\" escapeChar=\"!\"><fes:ValueReference>scene</fes:ValueReference><fes:Literal>{scene[..^4]}*</fes:Literal></fes:PropertyIsLike>"));
        Assert.That(Members(like).Select(Id), Is.EquivalentTo(all.Where(f => Value(f, "scene").StartsWith(scene[..^4], StringComparison.Ordinal)).Select(Id)));

        var after = await OkAsync(GetChips + Filter($"<fes:After><fes:ValueReference>acquired</fes:ValueReference><gml:TimeInstant gml:id=\"t\"><gml:timePosition>{acquired}</gml:timePosition></gml:TimeInstant></fes:After>"));
        Assert.That(Members(after).Select(Id), Is.EquivalentTo(all.Where(f => string.CompareOrdinal(Value(f, "acquired"), acquired) > 0).Select(Id)));

        var ring = all[0].Descendants(Gml + "posList").Single().Value;
        var within = await OkAsync(GetChips + Filter($"<fes:Intersects><fes:ValueReference>geometry</fes:ValueReference><gml:Polygon gml:id=\"p\" srsName=\"urn:ogc:def:crs:EPSG::4326\"><gml:exterior><gml:LinearRing><gml:posList>{ring}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></fes:Intersects>"));
        Assert.That(Members(within).Select(Id), Does.Contain(Id(all[0])));
        Assert.That(Members(within).Count, Is.LessThan(all.Count));
    }

    [Test]
    public async Task Bad_filters_are_ows_exceptions_and_nothing_runs()
    {
        foreach (var (filter, words) in new[]
                 {
                     (Filter("<fes:PropertyIsGreaterThan><fes:ValueReference>acquired</fes:ValueReference><fes:Literal>abc</fes:Literal></fes:PropertyIsGreaterThan>"), "acquired"),
                     (Filter("<fes:PropertyIsEqualTo><fes:ValueReference>cloud</fes:ValueReference><fes:Literal>1</fes:Literal></fes:PropertyIsEqualTo>"), "queryable"),
                     ("&FILTER=" + Uri.EscapeDataString("<!DOCTYPE f [<!ENTITY e \"x\">]><fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\">&e;</fes:Filter>"), "DTD"),
                     ("&SORTBY=cloud%20DESC", "queryable"),
                     ("&PROPERTYNAME=secret", "secret"),
                 })
        {
            var (status, report) = await GetAsync(GetChips + filter);
            Assert.That((int)status, Is.EqualTo(400), filter);
            Assert.That(report.Name, Is.EqualTo(Ows + "ExceptionReport"));
            Assert.That(report.Descendants(Ows + "ExceptionText").Single().Value, Does.Contain(words));
        }
    }

    [Test]
    public async Task Sortby_propertyname_paging_featureid_and_q_on_scenes()
    {
        var sorted = Members(await OkAsync(GetChips + "&SORTBY=acquired%20DESC,level"));
        Assert.That(sorted.Select(f => Value(f, "acquired")), Is.Ordered.Descending);

        var slim = Members(await OkAsync(GetChips + "&COUNT=2&PROPERTYNAME=level,scene"));
        Assert.That(slim[0].Elements().Select(e => e.Name.LocalName), Is.EquivalentTo(new[] { "level", "scene" }));

        var ids = new List<string>();
        var url = GetChips + "&COUNT=7&Q=farmland";
        var previous = false;
        while (true)
        {
            var page = await OkAsync(url);
            ids.AddRange(Members(page).Select(Id));
            previous |= page.Attribute("previous") is not null;
            if ((string?)page.Attribute("next") is not { } next) break;
            url = next[next.IndexOf("/wfs", StringComparison.Ordinal)..];
        }
        var total = Members(await OkAsync(GetChips)).Count;
        Assert.That(ids, Has.Count.EqualTo(total));
        Assert.That(ids, Is.Unique);
        Assert.That(previous, "later pages link back");

        var two = Members(await OkAsync(GetChips + $"&FEATUREID={ids[0]},{ids[1]}"));
        Assert.That(two.Select(Id), Is.EquivalentTo(ids.Take(2)));

        var scenes = await OkAsync(Base + "GetFeature&TYPENAMES=rsgeo:scenes&Q=farmland");
        Assert.That(Members(scenes), Is.Not.Empty, "Q is ignored on scenes, so a whole connection with Q can be copied");
    }
}
