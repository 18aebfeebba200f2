using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Api.Requests;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Tests.Requests;

/// <summary>The parameter readers and request types directly on a query string: every form, every message.</summary>
public sealed class ParameterReaderTests
{
    private static readonly ApiOptions Options = new() { MaxLimit = 1000 };

    private static QueryReader Query(string query, bool ignoreCase = false) => new(new QueryCollection(QueryHelpers.ParseQuery(query)), ignoreCase);

    private static ParameterException Refused(Action read) => Assert.Throws<ParameterException>(() => read())!;

    [TestCase("bbox=1,2,3,4", 1, 2, 3, 4)]
    [TestCase("bbox=%201%20,2,3,4", 1, 2, 3, 4)]
    [TestCase("bbox=-181,-91,181,91", -180, -90, 180, 90)]
    public void Plain_bbox(string query, double minX, double minY, double maxX, double maxY) =>
        Assert.That(ParameterReaders.Bbox(Query(query), Parameters.Bbox), Is.EqualTo(new BoundingBox(minX, minY, maxX, maxY)));

    [TestCase("bbox=1,2,3,4,5", "four numbers")]
    [TestCase("bbox=1,2,3,x", "'x' is not a number")]
    [TestCase("bbox=3,2,1,4", "min > max")]
    [TestCase("bbox=181,0,190,1", "outside")]
    [TestCase("bbox=1,2,3,4&bbox=1,2,3,5", "given 2 times")]
    public void Plain_bbox_errors(string query, string words)
    {
        var e = Refused(() => ParameterReaders.Bbox(Query(query), Parameters.Bbox));
        Assert.That((e.Parameter, e.Message.Contains(words)), Is.EqualTo(("bbox", true)), e.Message);
    }

    [Test]
    public void Ogc_bbox_forms()
    {
        Assert.That(ParameterReaders.OgcBbox(Query("bbox=1,2,3,4")), Is.EqualTo(((BoundingBox?)new BoundingBox(1, 2, 3, 4), (BboxHalves?)null)));
        Assert.That(ParameterReaders.OgcBbox(Query("bbox=1,2,-10,3,4,10")).Box, Is.EqualTo(new BoundingBox(1, 2, 3, 4)));
        Assert.That(ParameterReaders.OgcBbox(Query("bbox=1,2,3,4&bbox-crs=[OGC:CRS84]")).Box, Is.EqualTo(new BoundingBox(1, 2, 3, 4)));
        var (box, halves) = ParameterReaders.OgcBbox(Query("bbox=170,-10,-170,10"));
        Assert.That(box, Is.Null);
        Assert.That(halves, Is.EqualTo(new BboxHalves(new BoundingBox(170, -10, 180, 10), new BoundingBox(-180, -10, -170, 10))));
        Assert.That(ParameterReaders.OgcBbox(Query("bbox-crs=" + Uri.EscapeDataString(Parameters.Crs84))), Is.EqualTo(((BoundingBox?)null, (BboxHalves?)null)));
    }

    [TestCase("bbox=1,2,3", "bbox", "4 or 6 numbers")]
    [TestCase("bbox=170,10,-170,-10", "bbox", "min > max")]
    [TestCase("bbox=200,0,210,1", "bbox", "outside")]
    [TestCase("bbox=200,0,190,1", "bbox", "bbox 200,0,190,1 has min > max")]
    [TestCase("bbox=1,2,3,4&bbox-crs=EPSG:3857", "bbox-crs", "the only supported CRS")]
    public void Ogc_bbox_errors(string query, string parameter, string words)
    {
        var e = Refused(() => ParameterReaders.OgcBbox(Query(query)));
        Assert.That(e.Parameter, Is.EqualTo(parameter));
        Assert.That(e.Message, Does.Contain(words));
    }

    [Test]
    public void Wfs_bbox_follows_the_crs_axis_order()
    {
        Assert.That(WfsGetFeatureRequest.WfsBbox("45,10,46,11", "urn:ogc:def:crs:EPSG::4326"), Is.EqualTo(new BoundingBox(10, 45, 11, 46)));
        Assert.That(WfsGetFeatureRequest.WfsBbox("10,45,11,46,EPSG:4326", "urn:ogc:def:crs:EPSG::4326"), Is.EqualTo(new BoundingBox(10, 45, 11, 46)));
        Assert.That(WfsGetFeatureRequest.WfsBbox("10,45,11,46,urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326"), Is.EqualTo(new BoundingBox(10, 45, 11, 46)));
        Assert.That(WfsGetFeatureRequest.WfsBbox("10,45,11,46", "urn:ogc:def:crs:EPSG::4326"), Is.EqualTo(new BoundingBox(45, 10, 46, 11)), "latitude first");
        Assert.That(WfsGetFeatureRequest.WfsBbox("-100,-200,100,200", "urn:ogc:def:crs:EPSG::4326"), Is.EqualTo(BoundingBox.World), "cut to the world");
        var e = Assert.Throws<Wfs.OwsException>(() => WfsGetFeatureRequest.WfsBbox("1,0,0,1", "urn:ogc:def:crs:EPSG::4326"))!;
        Assert.That(e.Locator, Is.EqualTo("BBOX"));
        Assert.That(e.Message, Does.Contain("min > max").And.Contain("latitude first"));
        e = Assert.Throws<Wfs.OwsException>(() => WfsGetFeatureRequest.WfsBbox("1,2,3", "EPSG:4326"))!;
        Assert.That(e.Message, Does.Contain("four numbers and an optional CRS"));
        e = Assert.Throws<Wfs.OwsException>(() => WfsGetFeatureRequest.WfsBbox("1,2,3,4,EPSG:3857", "EPSG:4326"))!;
        Assert.That(e.Message, Does.Contain("not supported"));
    }

    [TestCase("datetime=2020-08-31", "2020-08-31T00:00:00Z/2020-08-31T23:59:59Z")]
    [TestCase("datetime=2020-08-31T10:00:00Z", "2020-08-31T10:00:00Z/2020-08-31T10:00:00Z")]
    [TestCase("datetime=../2020-12-31", "../2020-12-31T23:59:59Z")]
    [TestCase("datetime=2019-01-01/", "2019-01-01T00:00:00Z/..")]
    [TestCase("datetime=../..", "../..")]
    [TestCase("", "../..")]
    public void Datetime_forms(string query, string range) =>
        Assert.That(ParameterReaders.Time(Query(query), Parameters.Datetime).ToString(), Is.EqualTo(range));

    [TestCase("datetime=2020-02-30", "not a date")]
    [TestCase("datetime=", "empty")]
    [TestCase("datetime=a/b/c", "more than one '/'")]
    [TestCase("datetime=2021-01-01/2020-01-01", "'from' must be before 'to'")]
    public void Datetime_errors(string query, string words)
    {
        var e = Refused(() => ParameterReaders.Time(Query(query), Parameters.Datetime));
        Assert.That(e.Parameter, Is.EqualTo("datetime"));
        Assert.That(e.Message, Does.StartWith("datetime").And.Contain(words));
    }

    [TestCase("", false, 10)]
    [TestCase("limit=7", false, 7)]
    [TestCase("limit=1000", false, 1000)]
    [TestCase("limit=5000", true, 1000)]
    [TestCase("limit=99999999999999999999", true, 1000)]
    public void Limit_forms(string query, bool clamp, int expected) =>
        Assert.That(ParameterReaders.Limit(Query(query), Parameters.Limit, 10, 1000, clamp), Is.EqualTo(expected));

    [TestCase("limit=0", true, "limit 0 must be at least 1")]
    [TestCase("limit=-3", false, "limit -3 must be at least 1")]
    [TestCase("limit=1001", false, "limit 1001 must be at most 1000")]
    [TestCase("limit=1.5", false, "limit '1.5' is not an integer")]
    [TestCase("limit=99999999999999999999", false, "is not an integer")]
    public void Limit_errors(string query, bool clamp, string message) =>
        Assert.That(Refused(() => ParameterReaders.Limit(Query(query), Parameters.Limit, 10, 1000, clamp)).Message, Does.Contain(message));

    [Test]
    public void Offset_forms_and_errors()
    {
        Assert.That(ParameterReaders.Offset(Query(""), Parameters.Offset), Is.Zero);
        Assert.That(ParameterReaders.Offset(Query("offset=25"), Parameters.Offset), Is.EqualTo(25));
        Assert.That(Refused(() => ParameterReaders.Offset(Query("offset=-1"), Parameters.Offset)).Message, Is.EqualTo("offset -1 must be at least 0"));
        Assert.That(Refused(() => ParameterReaders.Offset(Query("offset=10000001"), Parameters.Offset)).Message, Is.EqualTo("offset 10000001 must be at most 10000000"));
        Assert.That(Refused(() => ParameterReaders.Offset(Query("offset=two"), Parameters.Offset)).Message, Is.EqualTo("offset 'two' is not an integer"));
    }

    [Test]
    public void Ids_are_joined_across_repeats_and_checked()
    {
        Assert.That(ParameterReaders.Ids(Query("like=12,40&like=%207%20"), Parameters.Like), Is.EqualTo(new long[] { 12, 40, 7 }));
        Assert.That(ParameterReaders.Ids(Query(""), Parameters.Like), Is.Null);
        Assert.That(Refused(() => ParameterReaders.Ids(Query("like=12,x"), Parameters.Like)).Message, Is.EqualTo("like: 'x' is not a chip id (a positive integer)"));
        Assert.That(Refused(() => ParameterReaders.Ids(Query("unlike=,"), Parameters.Unlike)).Message, Is.EqualTo("unlike is empty; give chip ids such as unlike=12,40"));
        var many = string.Join(',', Enumerable.Range(1, 101));
        var e = Refused(() => SearchRequest.Read(Query($"like={many}"), Options));
        Assert.That((e.Parameter, e.Message), Is.EqualTo(("like", "like lists 101 chips; at most 100")));
    }

    [Test]
    public void Text_is_trimmed_and_at_most_1000_characters()
    {
        Assert.That(ParameterReaders.Text(Query("q=%20farmland%20"), Parameters.Q), Is.EqualTo("farmland"));
        Assert.That(ParameterReaders.Text(Query("q=%20%20"), Parameters.Q), Is.Null);
        var e = Refused(() => ParameterReaders.Text(Query("q=" + new string('a', 1001)), Parameters.Q));
        Assert.That((e.Parameter, e.Message), Is.EqualTo(("q", "q is 1001 characters long; at most 1000")));
    }

    [TestCase("model=rsgeo-mini", "rsgeo-mini")]
    [TestCase("", null)]
    public void Model_names(string query, string? model) => Assert.That(ParameterReaders.Model(Query(query), Parameters.Model), Is.EqualTo(model));

    [TestCase("model=")]
    [TestCase("model=a%20b")]
    [TestCase("model=../x")]
    public void Model_name_errors(string query) =>
        Assert.That(Refused(() => ParameterReaders.Model(Query(query), Parameters.Model)).Message, Does.Contain("is not a model name"));

    [Test]
    public void Unknown_parameters_list_what_is_accepted()
    {
        var e = Refused(() => SearchRequest.Read(Query("q=x&colour=red"), Options));
        Assert.That(e.Parameter, Is.EqualTo("colour"));
        Assert.That(e.Message, Is.EqualTo("unknown query parameter 'colour'; this resource accepts: " + string.Join(", ", SearchRequest.Search.Select(p => p.Name))));
        Assert.DoesNotThrow(() => Query("count=1&COUNT=1", ignoreCase: true).Only("COUNT"), "WFS names are case-insensitive");
    }

    [Test]
    public void Search_request_maps_core_rules_to_parameters()
    {
        Assert.That(Refused(() => SearchRequest.Read(Query("unlike=3"), Options)).Parameter, Is.EqualTo("unlike"));
        Assert.That(Refused(() => SearchRequest.Read(Query("q=x&min_relevance=1.5"), Options)).Message, Is.EqualTo("min_relevance 1.5 must be between 0 and 1 (a probability)"));
        Assert.That(Refused(() => SearchRequest.Read(Query("q=x&not=a,%20"), Options)).Message, Does.StartWith("not: a negative term is empty"));
        var q = SearchRequest.Read(Query("like=4&unlike=5&group=place&min_relevance=0"), Options);
        Assert.That((q.IsRanked, q.Group, q.MinRelevance), Is.EqualTo((true, SearchGrouping.Place, (double?)0)));
    }

    [Test]
    public void Change_request_names_from_for_a_reversed_range()
    {
        var e = Refused(() => ChangeRequest.Read(Query("bbox=1,2,3,4&from=2021-01-01&to=2020-01-01"), Options));
        Assert.That(e.Parameter, Is.EqualTo("from"));
        Assert.That(e.Message, Does.Contain("'from' must be before 'to'"));
        var q = ChangeRequest.Read(Query("bbox=1,2,3,4&to=2020-01-01&normalise=1"), Options);
        Assert.That((q.Time.From, q.Time.To, q.Normalise), Is.EqualTo(((DateTimeOffset?)null, (DateTimeOffset?)new DateTimeOffset(2020, 1, 2, 0, 0, 0, TimeSpan.Zero).AddTicks(-1), true)));
    }

    [Test]
    public void Every_declaration_has_a_description_and_an_openapi_schema()
    {
        foreach (var p in OgcItemsRequest.AnyCollection.Concat(SearchRequest.Search).Concat(ChangeRequest.Changes).Distinct())
        {
            Assert.That(p.Description, Is.Not.Empty, p.Name);
            var json = p.OpenApi(1000);
            Assert.That((string?)json["name"], Is.EqualTo(p.Name));
            Assert.That((string?)json["schema"]!["type"], Is.Not.Null, p.Name);
        }
        Assert.That((int?)Parameters.Limit.OpenApi(250)["schema"]!["maximum"], Is.EqualTo(250));
    }
}
