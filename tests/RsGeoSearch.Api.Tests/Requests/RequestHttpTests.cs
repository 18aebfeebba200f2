using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using RsGeoSearch.Core;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Api.Tests.Requests;

/// <summary>
/// Every request type over HTTP against the in-memory <see cref="FakeCatalog"/> (milliseconds, no database): what
/// each parameter form reads into the Core query, and that every bad value or rule broken is a 400 naming the
/// parameter (an OWS exception report with its locator under /wfs) before the catalogue is asked.
/// </summary>
public sealed class RequestHttpTests : ApiTestBase
{
    private FakeCatalog Fake => (FakeCatalog)Catalog;

    protected override Task<IChipCatalog> CreateCatalogAsync() => Task.FromResult<IChipCatalog>(new FakeCatalog());

    /// <summary>A 400 problem naming <paramref name="parameter"/> whose detail says <paramref name="words"/>, before the catalogue is asked.</summary>
    private async Task RefusedAsync(string url, string parameter, string words)
    {
        var calls = Fake.Calls;
        var problem = await GetProblemAsync(url, 400, parameter);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(words));
        Assert.That(Fake.Calls, Is.EqualTo(calls), "refused before the catalogue");
    }

    // ---- GET /search

    [TestCase("bbox=1,2,3", "bbox", "four numbers")]
    [TestCase("bbox=a,b,c,d", "bbox", "'a' is not a number")]
    [TestCase("bbox=10,0,5,1", "bbox", "min > max")]
    [TestCase("bbox=", "bbox", "four numbers")]
    [TestCase("bbox=200,0,210,10", "bbox", "outside")]
    [TestCase("bbox=0,0,1,1,2,2", "bbox", "four numbers")]
    [TestCase("datetime=yesterday", "datetime", "not a date")]
    [TestCase("datetime=2021-01-01/2020-01-01", "datetime", "'from' must be before 'to'")]
    [TestCase("datetime=2020-01-01/2020-02-01/2020-03-01", "datetime", "more than one '/'")]
    [TestCase("datetime=", "datetime", "empty")]
    [TestCase("limit=0", "limit", "at least 1")]
    [TestCase("limit=abc", "limit", "not an integer")]
    [TestCase("limit=100000", "limit", "at most 1000")]
    [TestCase("limit=99999999999999999999", "limit", "not an integer")]
    [TestCase("offset=-1", "offset", "at least 0")]
    [TestCase("offset=x", "offset", "not an integer")]
    [TestCase("min_score=2", "min_score", "between -1 and 1")]
    [TestCase("min_score=NaN", "min_score", "not a number")]
    [TestCase("min_relevance=1.5", "min_relevance", "between 0 and 1")]
    [TestCase("min_relevance=high", "min_relevance", "not a number")]
    [TestCase("like=abc", "like", "not a chip id")]
    [TestCase("like=0", "like", "not a chip id")]
    [TestCase("like=,", "like", "empty")]
    [TestCase("unlike=x", "unlike", "not a chip id")]
    [TestCase("not=clouds,,haze", "not", "empty")]
    [TestCase("not=", "not", "empty")]
    [TestCase("group=places", "group", "chip or place")]
    [TestCase("model=../../etc/passwd", "model", "not a model name")]
    [TestCase("colour=red", "colour", "unknown query parameter")]
    [TestCase("limit=1&limit=2", "limit", "2 times")]
    public async Task Search_parameters_are_checked_with_a_message_naming_them(string query, string parameter, string words)
        => await RefusedAsync("/search?q=farm&" + query, parameter, words);

    [Test]
    public async Task Search_text_longer_than_1000_characters_is_refused()
    {
        var problem = await GetProblemAsync("/search?q=" + new string('a', 1001), 400, "q");
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("1001 characters").And.Contain("at most 1000"));
        await GetJsonAsync("/search?q=" + new string('a', 1000));
        Assert.That(Fake.LastSearch!.Text, Has.Length.EqualTo(1000));
    }

    [TestCase("/search?unlike=3", "unlike")]
    [TestCase("/search?not=clouds", "not")]
    [TestCase("/search?min_relevance=0.2", "min_relevance")]
    [TestCase("/search?group=place", "group")]
    public async Task What_needs_a_ranked_search_is_refused_without_one(string url, string parameter)
    {
        var problem = await GetProblemAsync(url, 400, parameter);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("needs a ranked search"));
    }

    [Test]
    public async Task Search_reads_every_parameter_into_the_catalogue_query()
    {
        var fc = await GetJsonAsync("/search?q=%20farmland%20&not=clouds,%20haze&bbox=10,45,10.15,45.05&datetime=2019-06-01&limit=2&offset=1" +
                                    "&min_score=-0.5&min_relevance=0.25&group=place&model=fake-model&like=3,3,4&unlike=5");
        var q = Fake.LastSearch!;
        Assert.Multiple(() =>
        {
            Assert.That(q.Text, Is.EqualTo("farmland"), "trimmed");
            Assert.That(q.Not, Is.EqualTo(new[] { "clouds", "haze" }));
            Assert.That(q.Bbox, Is.EqualTo(new BoundingBox(10, 45, 10.15, 45.05)));
            Assert.That(q.Time.From, Is.EqualTo(new DateTimeOffset(2019, 6, 1, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(q.Time.To, Is.EqualTo(new DateTimeOffset(2019, 6, 2, 0, 0, 0, TimeSpan.Zero).AddTicks(-1)), "a date covers its day");
            Assert.That((q.Limit, q.Offset), Is.EqualTo((2, 1)));
            Assert.That((q.MinScore, q.MinRelevance, q.Group, q.Model), Is.EqualTo(((double?)-0.5, (double?)0.25, SearchGrouping.Place, "fake-model")));
            Assert.That(q.Like, Is.EqualTo(new long[] { 3, 4 }), "duplicates dropped");
            Assert.That(q.Unlike, Is.EqualTo(new long[] { 5 }));
        });
        // Chips 1 and 2 of the 2019 scene lie in the box; offset 1 leaves chip 2.
        Assert.That(Features(fc).Select(f => f.GetProperty("id").GetInt64()), Is.EqualTo(new long[] { 2 }));
        Assert.That(fc.GetProperty("numberMatched").GetInt64(), Is.EqualTo(2));
    }

    [Test]
    public async Task A_box_reaching_past_the_world_is_cut_to_it_and_one_outside_is_refused()
    {
        await GetJsonAsync("/search?q=x&bbox=-250,-100,250,100");
        Assert.That(Fake.LastSearch!.Bbox, Is.EqualTo(BoundingBox.World));
        await GetJsonAsync("/scenes?bbox=-190,44,10.05,95");
        Assert.That(Fake.LastSceneList!.Value.Bbox, Is.EqualTo(new BoundingBox(-180, 44, 10.05, 90)));
        await GetProblemAsync("/scenes?bbox=46,-100,47,-95", 400, "bbox"); // latitude and longitude swapped
    }

    [Test]
    public async Task Similar_and_scenes_read_their_own_parameters()
    {
        await GetJsonAsync("/chips/4/similar?limit=3&bbox=10,45,11,46&min_score=0.1");
        Assert.That(Fake.LastSearch!.Like, Is.EqualTo(new long[] { 4 }));
        Assert.That((Fake.LastSearch.Limit, Fake.LastSearch.MinScore), Is.EqualTo((3, (double?)0.1)));
        await GetProblemAsync("/chips/4/similar?q=x", 400, "q");
        await GetProblemAsync("/chips/4/similar?limit=-3", 400, "limit");

        var scenes = await GetJsonAsync("/scenes?datetime=2021-01-01/..&limit=5");
        Assert.That(Fake.LastSceneList!.Value.Limit, Is.EqualTo(5));
        Assert.That(Features(scenes).Select(f => f.GetProperty("id").GetInt64()), Is.EqualTo(new long[] { 2 }), "only the 2021 scene; undated ones need no datetime");
        await GetJsonAsync("/scenes");
        Assert.That(Fake.LastSceneList!.Value.Limit, Is.EqualTo(100), "the scenes' default page");
        await GetProblemAsync("/scenes?bbox=1,2", 400, "bbox");
        await GetProblemAsync("/scenes?datetime=2020-13-45", 400, "datetime");
        await GetProblemAsync("/scenes?q=farm", 400, "q");
    }

    // ---- GET /changes

    [Test]
    public async Task Changes_read_bbox_dates_texts_and_options()
    {
        var fc = await GetJsonAsync("/changes?bbox=10,45,10.3,45.2&from=2019-01-01&to=2021-12-31&q=%20flooding%20&limit=2&offset=1&iou=0.3&normalise&pairs=consecutive&model=fake-model");
        var q = Fake.LastChanges!;
        Assert.Multiple(() =>
        {
            Assert.That(q.Bbox, Is.EqualTo(new BoundingBox(10, 45, 10.3, 45.2)));
            Assert.That(q.Time.From, Is.EqualTo(new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(q.Time.To, Is.EqualTo(new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(-1)), "to covers its whole day");
            Assert.That(q.Text, Is.EqualTo("flooding"));
            Assert.That((q.Limit, q.Offset, q.MinIoU, q.Normalise, q.Pairing), Is.EqualTo((2, 1, 0.3, true, ChangePairing.Consecutive)));
        });
        Assert.That(fc.GetProperty("numberMatched").GetInt64(), Is.EqualTo(6));
        Assert.That(Features(fc), Has.Count.EqualTo(2));
        await GetJsonAsync("/changes?bbox=10,45,10.3,45.2&limit=5000");
        Assert.That(Fake.LastChanges!.Limit, Is.EqualTo(1000), "a limit past the maximum is cut to it");
    }

    [TestCase("", "bbox", "required")]
    [TestCase("bbox=1,2,3", "bbox", "four numbers")]
    [TestCase("bbox=10,45,10.3,45.2&from=2020-13-45", "from", "not a date")]
    [TestCase("bbox=10,45,10.3,45.2&to=yesterday", "to", "not a date")]
    [TestCase("bbox=10,45,10.3,45.2&from=2021-06-01&to=2020-01-01", "from", "'from' must be before 'to'")]
    [TestCase("bbox=10,45,10.3,45.2&from=2021-06-01T00:00:00Z&to=2021-06-01T00:00:00Z", "from", "'from' must be before 'to'")]
    [TestCase("bbox=10,45,10.3,45.2&q=a&to_q=b", "q", "not both")]
    [TestCase("bbox=10,45,10.3,45.2&iou=0", "iou", "between 0.01 and 1")]
    [TestCase("bbox=10,45,10.3,45.2&iou=x", "iou", "not a number")]
    [TestCase("bbox=10,45,10.3,45.2&offset=2000000", "offset", "at most 1000000")]
    [TestCase("bbox=10,45,10.3,45.2&pairs=all", "pairs", "span")]
    [TestCase("bbox=10,45,10.3,45.2&normalise=maybe", "normalise", "true or false")]
    [TestCase("bbox=10,45,10.3,45.2&datetime=2020", "datetime", "unknown query parameter")]
    public async Task Change_parameters_are_checked_with_a_message_naming_them(string query, string parameter, string words)
        => await RefusedAsync("/changes?" + query, parameter, words);

    [Test]
    public async Task A_change_text_longer_than_1000_characters_is_refused() =>
        await GetProblemAsync("/changes?bbox=10,45,10.3,45.2&from_q=" + new string('a', 1001), 400, "from_q");

    // ---- OGC API - Features items

    [Test]
    public async Task Ogc_bbox_takes_four_or_six_numbers_in_CRS84_and_crosses_the_antimeridian()
    {
        await GetJsonAsync("/ogc/collections/chips/items?bbox=10,45,0,10.15,45.05,100&bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84");
        Assert.That(Fake.LastSearch!.Bbox, Is.EqualTo(new BoundingBox(10, 45, 10.15, 45.05)), "heights dropped");
        await GetJsonAsync("/ogc/collections/chips/items?bbox=170,-10,-170,10");
        Assert.That(Fake.LastSearch!.Bbox, Is.Null, "a box across the antimeridian becomes a filter of its halves");
        Assert.That(Fake.LastSearch.Where, Is.Not.Null);
        await GetJsonAsync("/ogc/collections/chips/items?bbox=-250,-100,250,100&limit=5000");
        Assert.That((Fake.LastSearch!.Bbox, Fake.LastSearch.Limit), Is.EqualTo(((BoundingBox?)BoundingBox.World, 1000)), "box cut to the world, limit to the maximum");
    }

    [TestCase("/ogc/collections/chips/items?colour=red", "colour", "unknown query parameter")]
    [TestCase("/ogc/collections/chips/items?bbox=1,2,3", "bbox", "4 or 6 numbers")]
    [TestCase("/ogc/collections/chips/items?bbox=1,2,3,4,5", "bbox", "4 or 6 numbers")]
    [TestCase("/ogc/collections/chips/items?bbox=0,0,nan,1", "bbox", "not a number")]
    [TestCase("/ogc/collections/chips/items?bbox=0,10,1,5", "bbox", "min > max")]
    [TestCase("/ogc/collections/chips/items?bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3857", "bbox-crs", "CRS84")]
    [TestCase("/ogc/collections/chips/items?datetime=2020-02-30", "datetime", "not a date")]
    [TestCase("/ogc/collections/chips/items?limit=0", "limit", "at least 1")]
    [TestCase("/ogc/collections/chips/items?limit=ten", "limit", "not an integer")]
    [TestCase("/ogc/collections/chips/items?offset=-5", "offset", "at least 0")]
    [TestCase("/ogc/collections/chips/items?f=xml", "f", "xml")]
    [TestCase("/ogc/collections/scenes/items?min_score=2", "min_score", "between -1 and 1")]
    [TestCase("/ogc/collections/chips/items?q=farmland&not=", "not", "empty")]
    [TestCase("/ogc/collections/chips/items?q=farmland&min_relevance=2", "min_relevance", "between 0 and 1")]
    [TestCase("/ogc/collections/chips/items?q=farmland&group=scene", "group", "chip or place")]
    [TestCase("/ogc/collections/chips/items?not=clouds", "not", "needs a ranked search")]
    [TestCase("/ogc/collections/chips/items?unlike=2", "unlike", "needs a ranked search")]
    [TestCase("/ogc/collections/changes/items?bbox=170,-10,-170,10", "bbox", "antimeridian")]
    [TestCase("/ogc/collections/changes/items?datetime=2021-01-01T00:00:00Z/2021-01-01T00:00:00Z", "datetime", "'from' must be before 'to'")]
    [TestCase("/ogc/collections/changes/items?filter=level=0", "filter", "unknown query parameter")]
    [TestCase("/ogc?q=farm&q=river", "q", "2 times")]
    [TestCase("/ogc?foo=1", "foo", "unknown query parameter")]
    [TestCase("/ogc/collections?bbox=1,2,3,4", "bbox", "unknown query parameter")]
    public async Task Ogc_parameters_are_checked_with_a_message_naming_them(string url, string parameter, string words)
        => await RefusedAsync(url, parameter, words);

    [TestCase("filter=level%20%3D%20", "filter", "position 9")]
    [TestCase("filter=acquired%20%3E%20'abc'", "filter", "acquired")]
    [TestCase("filter=cloud%20%3C%203", "filter", "queryable")]
    [TestCase("filter=score%20%3E%200.1", "filter", "q")]
    [TestCase("filter=level%3D0&filter-lang=cql2-json", "filter-lang", "cql2-text")]
    [TestCase("sortby=cloud", "sortby", "queryable")]
    [TestCase("sortby=acquired&q=farm", "sortby", "score")]
    [TestCase("properties=secret", "properties", "secret")]
    [TestCase("skipGeometry=maybe", "skipGeometry", "true or false")]
    [TestCase("crs=http://www.opengis.net/def/crs/EPSG/0/32614", "crs", "CRS84")]
    [TestCase("level=zero", "level", "zero")]
    public async Task Bad_filters_and_projections_are_400_naming_the_problem(string query, string parameter, string words)
        => await RefusedAsync($"/ogc/collections/chips/items?{query}", parameter, words);

    [Test]
    public async Task Scenes_ignore_the_search_parameters_of_a_connection_url()
    {
        var fc = await GetJsonAsync("/ogc/collections/scenes/items?q=farmland&not=clouds&min_relevance=0.9");
        Assert.That(Features(fc), Has.Count.EqualTo(3));
        await GetJsonAsync("/ogc/collections/scenes/items?not=clouds"); // no q: refused on chips only
    }

    [Test]
    public async Task Ogc_changes_default_to_the_catalogue_extent_and_read_datetime()
    {
        await GetJsonAsync("/ogc/collections/changes/items?datetime=2019-01-01/2021-12-31&limit=3&like=1");
        Assert.That(Fake.LastChanges!.Bbox, Is.EqualTo(new BoundingBox(10, 45, 10.3, 45.2)));
        Assert.That(Fake.LastChanges.Time.From, Is.EqualTo(new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(Fake.LastChanges.Limit, Is.EqualTo(3));
    }

    // ---- generated from the declarations: allowed lists, OpenAPI, /ogc/api

    [Test]
    public async Task The_openapi_document_and_the_api_table_list_exactly_the_parameters_items_accept()
    {
        var api = await GetJsonAsync("/ogc/api?f=json");
        var declared = api.GetProperty("components").GetProperty("parameters").EnumerateObject()
            .Where(p => p.Value.GetProperty("in").GetString() == "query").Select(p => p.Name).ToList();
        var listed = api.GetProperty("paths").GetProperty("/collections/{collectionId}/items").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Select(p => p.GetProperty("$ref").GetString()!.Split('/')[^1]).Where(n => n != "collectionId").ToList();
        Assert.That(listed, Is.EquivalentTo(declared));
        Assert.That(declared, Is.SupersetOf(new[] { "bbox", "bbox-crs", "datetime", "limit", "offset", "q", "not", "min_score", "min_relevance", "group",
            "model", "like", "unlike", "from_q", "to_q", "iou", "normalise", "pairs", "filter", "filter-lang", "filter-crs", "sortby", "properties", "skipGeometry", "crs", "f" }));
        var limit = api.GetProperty("components").GetProperty("parameters").GetProperty("limit").GetProperty("schema");
        Assert.That(limit.GetProperty("maximum").GetInt32(), Is.EqualTo(1000), "the server's maximum");

        using var html = await Client.GetAsync("/ogc/api?f=html");
        var page = await html.Content.ReadAsStringAsync();
        foreach (var name in declared) Assert.That(page, Does.Contain($"<td>{name}</td>"), name);

        // Each parameter the document lists is accepted by the items of chips or of changes (none is an unknown-parameter 400).
        foreach (var name in declared)
        {
            var value = name switch { "bbox-crs" or "filter-crs" or "crs" => "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "f" => "json", "group" => "chip",
                "filter-lang" => "cql2-text", "filter" => "level=0", "skipGeometry" or "normalise" => "false", "pairs" => "span", "sortby" => "level",
                "properties" => "level", "bbox" => "10,45,11,46", "datetime" => "2019-01-01/2022-01-01", "model" => "fake-model", "like" or "unlike" => "1",
                "q" or "from_q" or "to_q" or "not" => "farmland", _ => "0.5" };
            if (name is "limit" or "offset") value = "1";
            var collection = name is "from_q" or "to_q" or "iou" or "normalise" or "pairs" ? "changes" : "chips";
            var extra = name is "not" or "min_relevance" or "group" or "unlike" ? "&q=x" : "";
            using var response = await Client.GetAsync($"/ogc/collections/{collection}/items?{name}={Uri.EscapeDataString(value)}{extra}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{name}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    // ---- WFS GetFeature

    private static readonly XNamespace Ows = "http://www.opengis.net/ows/1.1";
    private const string GetChips = "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=rsgeo:chips&OUTPUTFORMAT=application/json";

    [Test]
    public async Task Wfs_bbox_follows_the_axis_order_of_its_crs()
    {
        await GetJsonAsync(GetChips + "&BBOX=45,10,45.05,10.15");
        Assert.That(Fake.LastSearch!.Bbox, Is.EqualTo(new BoundingBox(10, 45, 10.15, 45.05)), "EPSG URN (the default) is latitude first");
        await GetJsonAsync(GetChips + "&BBOX=10,45,10.15,45.05,EPSG:4326");
        Assert.That(Fake.LastSearch!.Bbox, Is.EqualTo(new BoundingBox(10, 45, 10.15, 45.05)), "EPSG:4326 is longitude first");
        await GetJsonAsync(GetChips + "&BBOX=-100,-200,100,200");
        Assert.That(Fake.LastSearch!.Bbox, Is.EqualTo(BoundingBox.World), "a box past the world is cut to it");
        await GetJsonAsync(GetChips + "&count=5000&startindex=2&q=farm&not=haze&min_relevance=0.1");
        Assert.That((Fake.LastSearch!.Limit, Fake.LastSearch.Offset, Fake.LastSearch.Text, Fake.LastSearch.MinRelevance), Is.EqualTo((1000, 2, "farm", (double?)0.1)));
        await GetJsonAsync("/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=rsgeo:scenes&OUTPUTFORMAT=application/json&NOT=haze&Q=x&vendor=1");
        Assert.That(Fake.LastSceneList!.Value.Limit, Is.EqualTo(1000), "scenes ignore Q, NOT and unknown parameters");
    }

    [TestCase("&BBOX=1,2,3", "BBOX", "four numbers")]
    [TestCase("&BBOX=1,2,x,4", "BBOX", "not a number")]
    [TestCase("&BBOX=10,0,5,1,EPSG:4326", "BBOX", "min > max")]
    [TestCase("&BBOX=1,0,0,1", "BBOX", "latitude first")]
    [TestCase("&BBOX=0,0,1,1,EPSG:3857", "BBOX", "not supported")]
    [TestCase("&COUNT=0", "COUNT", "at least 1")]
    [TestCase("&MAXFEATURES=abc", "MAXFEATURES", "not an integer")]
    [TestCase("&STARTINDEX=-1", "STARTINDEX", "at least 0")]
    [TestCase("&NOT=haze", "NOT", "needs a ranked search")]
    [TestCase("&MIN_RELEVANCE=0.5", "MIN_RELEVANCE", "needs a ranked search")]
    [TestCase("&Q=x&MIN_RELEVANCE=2", "MIN_RELEVANCE", "between 0 and 1")]
    [TestCase("&Q=x&NOT=a,,b", "NOT", "empty")]
    public async Task Wfs_parameters_are_exception_reports_locating_them(string query, string locator, string words)
    {
        using var response = await Client.GetAsync(GetChips + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(400), text);
        var ex = XElement.Parse(text).Element(Ows + "Exception")!;
        Assert.That((string?)ex.Attribute("exceptionCode"), Is.EqualTo("InvalidParameterValue"), text);
        Assert.That((string?)ex.Attribute("locator"), Is.EqualTo(locator), text);
        Assert.That(ex.Element(Ows + "ExceptionText")!.Value, Does.Contain(words));
    }

    [Test]
    public async Task Wfs_text_longer_than_1000_characters_is_refused()
    {
        using var response = await Client.GetAsync(GetChips + "&Q=" + new string('a', 1001));
        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("locator=\"Q\""));
    }
}
