using System.Net;
using System.Text.Json;

namespace RsGeoSearch.Api.Tests;

/// <summary>
/// OGC API - Features as GIS clients use it: search parameters on every resource and in every link, Part 3
/// filtering (queryables, cql2-text), sortby / properties / skipGeometry / crs, undated chips, antimeridian boxes,
/// HEAD and 405, all against the real catalogue.
/// </summary>
public sealed class OgcInteropTests : ApiTestBase
{
    private const string Items = "/ogc/collections/chips/items";
    private List<JsonElement> _all = [];

    [OneTimeSetUp]
    public async Task LoadAsync() => _all = Features(await GetJsonAsync(Items + "?limit=1000")).ToList();

    private static long Id(JsonElement f) => f.GetProperty("id").GetInt64();
    private static JsonElement Prop(JsonElement f, string name) => f.GetProperty("properties").GetProperty(name);

    [Test]
    public async Task Search_parameters_are_accepted_everywhere_and_carried_into_every_link()
    {
        const string search = "q=farmland&min_score=-1";
        var landing = await GetJsonAsync("/ogc?" + search);
        foreach (var rel in new[] { "self", "data", "conformance", "service-desc" })
            Assert.That(Link(landing, rel), Does.Contain("q=farmland").And.Contain("min_score=-1"), rel);
        await GetJsonAsync(Link(landing, "conformance"));
        using (var api = await Client.GetAsync(Link(landing, "service-desc"))) Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var collections = await GetJsonAsync(Link(landing, "data"));
        var chips = collections.GetProperty("collections").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "chips");
        var itemsUrl = Link(chips, "items");
        Assert.That(itemsUrl, Does.Contain("q=farmland"));
        var collection = await GetJsonAsync(Link(chips, "self"));
        Assert.That(Link(collection, "items"), Is.EqualTo(itemsUrl));

        // Paging through next keeps the ranking: best first overall, no chip twice. GDAL appends the connection
        // URL's query again to links that carry it; the repeated identical values are accepted.
        var page = await GetJsonAsync(itemsUrl + "&limit=7&" + search);
        var scores = new List<double>();
        var ids = new List<long>();
        while (true)
        {
            scores.AddRange(Features(page).Select(f => Prop(f, "score").GetDouble()));
            ids.AddRange(Features(page).Select(Id));
            if (!HasLink(page, "next")) break;
            Assert.That(Link(page, "next"), Does.Contain("q=farmland"));
            page = await GetJsonAsync(Link(page, "next"));
        }
        Assert.That(ids, Has.Count.EqualTo(_all.Count));
        Assert.That(ids, Is.Unique);
        Assert.That(scores, Is.Ordered.Descending);

        var single = await GetJsonAsync($"{Items}/{ids[0]}?q=farmland");
        Assert.That(Id(single), Is.EqualTo(ids[0]));
        var like = Features(await GetJsonAsync($"{Items}?like={ids[0]}&limit=3"));
        Assert.That(like.Select(Id), Does.Not.Contain(ids[0]), "the liked chip itself is left out");
        Assert.That(like.Select(f => Prop(f, "score").GetDouble()), Is.Ordered.Descending);
    }

    [Test]
    public async Task Conformance_declares_filtering_and_queryables_describe_the_one_schema()
    {
        var conformance = (await GetJsonAsync("/ogc/conformance")).GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.That(conformance, Does.Contain("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter")
            .And.Contain("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables")
            .And.Contain("http://www.opengis.net/spec/cql2/1.0/conf/cql2-text").And.Contain("http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2"));
        var collection = await GetJsonAsync("/ogc/collections/chips");
        var url = Link(collection, "http://www.opengis.net/def/rel/ogc/1.0/queryables");
        using var response = await Client.GetAsync(url);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/schema+json"));
        var schema = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var props = schema.GetProperty("properties");
        Assert.That(props.GetProperty("acquired").GetProperty("format").GetString(), Is.EqualTo("date-time"));
        Assert.That(props.GetProperty("level").GetProperty("type").GetString(), Is.EqualTo("integer"));
        Assert.That(props.TryGetProperty("score", out _), Is.False, "score is queryable only with q");
        Assert.That((await GetJsonAsync(url + "?q=farmland")).GetProperty("properties").TryGetProperty("score", out _));
        Assert.That((await GetJsonAsync("/ogc/collections/scenes/queryables")).GetProperty("properties").TryGetProperty("chip_count", out _));
    }

    [Test]
    public async Task Cql2_filters_run_on_the_server_and_match_the_listing()
    {
        var level = Prop(_all[0], "level").GetInt32();
        var sceneId = Prop(_all[0], "scene_id").GetInt64();
        var expected = _all.Where(f => Prop(f, "level").GetInt32() == level && Prop(f, "scene_id").GetInt64() != sceneId).Select(Id).ToList();
        var fc = await GetJsonAsync($"{Items}?limit=1000&filter-lang=cql2-text&filter=" + Uri.EscapeDataString($"level = {level} AND NOT scene_id = {sceneId}"));
        Assert.That(Features(fc).Select(Id), Is.EquivalentTo(expected));
        Assert.That(fc.GetProperty("numberMatched").GetInt64(), Is.EqualTo(expected.Count));

        var acquired = Prop(_all[0], "acquired").GetString()!;
        var after = _all.Count(f => Prop(f, "acquired").ValueKind == JsonValueKind.String && DateTimeOffset.Parse(Prop(f, "acquired").GetString()!) > DateTimeOffset.Parse(acquired));
        Assert.That(Features(await GetJsonAsync($"{Items}?limit=1000&filter=" + Uri.EscapeDataString($"acquired > TIMESTAMP('{acquired}')"))), Has.Count.EqualTo(after));
        Assert.That(Features(await GetJsonAsync($"{Items}?limit=1000&filter=" + Uri.EscapeDataString($"T_INTERSECTS(acquired, INTERVAL('{acquired}', '..'))"))),
            Has.Count.EqualTo(after + _all.Count(f => Prop(f, "acquired").GetString() == acquired)));

        var scene = Prop(_all[0], "scene").GetString()!;
        var sameScene = _all.Count(f => Prop(f, "scene").GetString() == scene);
        Assert.That(Features(await GetJsonAsync($"{Items}?limit=1000&filter=" + Uri.EscapeDataString($"scene LIKE '{scene[..^3]}%' AND scene IN ('{scene}', 'nothing')"))), Has.Count.EqualTo(sameScene));
        Assert.That(Features(await GetJsonAsync($"{Items}?limit=1000&scene={Uri.EscapeDataString(scene)}")), Has.Count.EqualTo(sameScene), "queryable=value");

        var e = Envelope(_all[0]);
        var box = Inv($"{e[0]},{e[1]},{e[2]},{e[3]}");
        var byBbox = Features(await GetJsonAsync($"{Items}?limit=1000&bbox={box}")).Select(Id);
        Assert.That(Features(await GetJsonAsync($"{Items}?limit=1000&filter=" + Uri.EscapeDataString($"S_INTERSECTS(geometry, BBOX({box}))"))).Select(Id), Is.EquivalentTo(byBbox));

        var ranked = Features(await GetJsonAsync($"{Items}?q=farmland&limit=1000&filter=" + Uri.EscapeDataString($"score > 0 AND level = {level}")));
        Assert.That(ranked.Select(f => Prop(f, "score").GetDouble()), Is.All.GreaterThan(0).And.Ordered.Descending);
        Assert.That(ranked.Select(f => Prop(f, "level").GetInt32()), Is.All.EqualTo(level));
    }

    // Bad filters and projections: Requests/RequestHttpTests (over the fake catalogue, no database).

    [Test]
    public async Task Sortby_properties_and_skipGeometry_have_their_standard_meaning()
    {
        var sorted = Features(await GetJsonAsync($"{Items}?limit=1000&sortby=-acquired,level"));
        var keys = sorted.Select(f => (Prop(f, "acquired").GetString() ?? "", Prop(f, "level").GetInt32())).ToList();
        Assert.That(keys.Select(k => k.Item1), Is.Ordered.Descending);
        Assert.That(sorted.Select(Id), Is.EquivalentTo(_all.Select(Id)));

        var slim = Features(await GetJsonAsync($"{Items}?limit=3&properties=level,scene&skipGeometry=true"));
        foreach (var f in slim)
        {
            Assert.That(f.GetProperty("geometry").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(f.GetProperty("properties").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "level", "scene" }));
        }
        Assert.That(Features(await GetJsonAsync($"{Items}?limit=1&crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84")), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Datetime_matches_only_dated_items_even_fully_open()
    {
        var dated = _all.Count(f => Prop(f, "acquired").ValueKind == JsonValueKind.String);
        Assert.That((await GetJsonAsync($"{Items}?limit=1000&datetime=../..")).GetProperty("numberMatched").GetInt64(), Is.EqualTo(dated));
        Assert.That((await GetJsonAsync($"{Items}?limit=1000")).GetProperty("numberMatched").GetInt64(), Is.EqualTo(_all.Count), "without datetime undated chips are listed too");
    }

    [Test]
    public async Task A_bbox_across_the_antimeridian_is_two_boxes()
    {
        var e = Envelope(_all[0]);
        // From just west of the chip eastwards across 180° back to -180 ... the chip: the same chips as the plain box from minx to 180 plus -180 to maxx.
        var crossing = await GetJsonAsync(Inv($"{Items}?limit=1000&bbox={e[2] + 0.5},{e[1]},{e[2]},{e[3]}"));
        var west = Features(await GetJsonAsync(Inv($"{Items}?limit=1000&bbox=-180,{e[1]},{e[2]},{e[3]}"))).Select(Id).ToHashSet();
        var east = Features(await GetJsonAsync(Inv($"{Items}?limit=1000&bbox={e[2] + 0.5},{e[1]},180,{e[3]}"))).Select(Id);
        west.UnionWith(east);
        Assert.That(Features(crossing).Select(Id), Is.EquivalentTo(west));
        Assert.That(Features(crossing).Select(Id), Does.Contain(Id(_all[0])));
        Assert.That(Features(await GetJsonAsync($"{Items}?bbox=170,-20,-170,20")), Is.Empty);
    }

    [Test]
    public async Task Head_answers_like_get_without_a_body_and_405_carries_allow()
    {
        foreach (var url in new[] { "/ogc", "/ogc/collections/chips/items?limit=2", "/ogc/collections/chips/queryables", "/wfs?SERVICE=WFS&REQUEST=GetCapabilities", "/health" })
        {
            using var get = await Client.GetAsync(url);
            using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
            Assert.That(head.StatusCode, Is.EqualTo(get.StatusCode), url);
            Assert.That(head.Content.Headers.ContentType?.MediaType, Is.EqualTo(get.Content.Headers.ContentType?.MediaType), url);
            Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty, url);
        }
        using var longUrl = await Client.GetAsync(Items + "?filter=" + new string('x', 9000));
        var tooLong = await AssertProblemAsync(longUrl, 414);
        Assert.That(tooLong.GetProperty("detail").GetString(), Does.Contain("at most"));
        using var bigHeaders = new HttpRequestMessage(HttpMethod.Get, "/ogc");
        for (var i = 0; i < 5; i++) bigHeaders.Headers.Add($"X-Padding-{i}", new string('y', 8000));
        using var tooLarge = await Client.SendAsync(bigHeaders);
        await AssertProblemAsync(tooLarge, 431);

        using var delete = await Client.DeleteAsync("/ogc/collections");
        Assert.That((int)delete.StatusCode, Is.EqualTo(405));
        Assert.That(delete.Content.Headers.Allow, Does.Contain("GET"));
        Assert.That(delete.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }
}
