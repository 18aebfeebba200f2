using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace RsGeoSearch.Api.Tests;

public sealed class OgcEndpointTests : ApiTestBase
{
    [Test]
    public async Task Landing_page_links_what_QGIS_and_GDAL_need()
    {
        var landing = await GetJsonAsync("/ogc");
        foreach (var rel in new[] { "self", "service-desc", "service-doc", "conformance", "data" })
            Assert.That(HasLink(landing, rel), rel);
        Assert.That(landing.GetProperty("links").EnumerateArray().All(l => l.TryGetProperty("type", out _)), "every link has a type");
        var serviceDesc = landing.GetProperty("links").EnumerateArray().First(l => l.GetProperty("rel").GetString() == "service-desc");
        Assert.That(serviceDesc.GetProperty("type").GetString(), Is.EqualTo("application/vnd.oai.openapi+json;version=3.0"));
        Assert.That(Link(landing, "data"), Does.EndWith("/ogc/collections"));
    }

    [Test]
    public async Task Conformance_declares_core_geojson_oas30_html()
    {
        var classes = (await GetJsonAsync("/ogc/conformance")).GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()).ToList();
        foreach (var c in new[] { "core", "geojson", "oas30", "html" })
            Assert.That(classes, Does.Contain($"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{c}"));
    }

    [Test]
    public async Task Api_is_an_openapi_3_document_declaring_q_and_limit()
    {
        using var response = await Client.GetAsync("/ogc/api");
        Assert.That(response.Content.Headers.ContentType?.ToString().Replace(" ", ""), Is.EqualTo("application/vnd.oai.openapi+json;version=3.0"));
        var api = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(api.GetProperty("openapi").GetString(), Does.StartWith("3.0"));
        Assert.That(api.GetProperty("paths").TryGetProperty("/collections/{collectionId}/items", out _));
        var parameters = api.GetProperty("components").GetProperty("parameters");
        Assert.That(parameters.GetProperty("q").GetProperty("in").GetString(), Is.EqualTo("query"));
        Assert.That(parameters.GetProperty("limit").GetProperty("schema").GetProperty("maximum").GetInt32(), Is.EqualTo(1000));
    }

    [Test]
    public async Task Collections_have_spatial_and_temporal_extents()
    {
        var collections = (await GetJsonAsync("/ogc/collections")).GetProperty("collections").EnumerateArray().ToList();
        Assert.That(collections.Select(c => c.GetProperty("id").GetString()), Is.EquivalentTo(new[] { "chips", "scenes", "changes" }));
        foreach (var c in collections)
        {
            var bbox = c.GetProperty("extent").GetProperty("spatial").GetProperty("bbox")[0];
            Assert.That(bbox.GetArrayLength(), Is.EqualTo(4));
            Assert.That(bbox[0].GetDouble(), Is.LessThanOrEqualTo(bbox[2].GetDouble()));
            var interval = c.GetProperty("extent").GetProperty("temporal").GetProperty("interval")[0];
            Assert.That(DateTimeOffset.Parse(interval[0].GetString()!), Is.LessThanOrEqualTo(DateTimeOffset.Parse(interval[1].GetString()!)));
            Assert.That(c.GetProperty("itemType").GetString(), Is.EqualTo("feature"));
            Assert.That(c.GetProperty("crs")[0].GetString(), Is.EqualTo("http://www.opengis.net/def/crs/OGC/1.3/CRS84"));
            Assert.That(HasLink(c, "items"));
        }
        var one = await GetJsonAsync("/ogc/collections/chips");
        Assert.That(one.GetProperty("id").GetString(), Is.EqualTo("chips"));
        await GetProblemAsync("/ogc/collections/rivers", 404);
        await GetProblemAsync("/ogc/collections/rivers/items", 404);
    }

    [Test]
    public async Task Items_page_through_every_chip_with_next_links()
    {
        var first = await GetJsonAsync("/ogc/collections/chips/items");
        Assert.That(first.GetProperty("numberReturned").GetInt32(), Is.EqualTo(Math.Min(10, first.GetProperty("numberMatched").GetInt64())), "default limit 10");
        Assert.That(first.TryGetProperty("timeStamp", out _));
        var matched = first.GetProperty("numberMatched").GetInt64();
        var ids = new List<long>();
        var page = await GetJsonAsync("/ogc/collections/chips/items?limit=7");
        var pages = 1;
        ids.AddRange(Features(page).Select(f => f.GetProperty("id").GetInt64()));
        Assert.That(HasLink(page, "prev"), Is.False);
        while (HasLink(page, "next"))
        {
            page = await GetJsonAsync(Link(page, "next"));
            pages++;
            Assert.That(HasLink(page, "prev"));
            ids.AddRange(Features(page).Select(f => f.GetProperty("id").GetInt64()));
        }
        Assert.That(ids, Has.Count.EqualTo(matched));
        Assert.That(ids, Is.Unique);
        Assert.That(pages, Is.EqualTo((int)Math.Ceiling(matched / 7.0)));
    }

    [Test]
    public async Task Q_ranks_items_and_adds_score()
    {
        var fc = await GetJsonAsync("/ogc/collections/chips/items?q=a%20river%20next%20to%20fields&limit=8");
        var scores = Features(fc).Select(f => f.GetProperty("properties").GetProperty("score").GetDouble()).ToList();
        Assert.That(scores, Has.Count.EqualTo(8));
        Assert.That(scores, Is.Ordered.Descending);
        var plain = Features(await GetJsonAsync("/ogc/collections/chips/items?limit=1"))[0];
        Assert.That(plain.GetProperty("properties").TryGetProperty("score", out _), Is.False, "no score without q");
        // q selects a search of the chips; scenes ignore it (a connection URL with q serves every collection).
        var scenes = await GetJsonAsync("/ogc/collections/scenes/items?q=river&limit=1000");
        Assert.That(scenes.GetProperty("numberMatched").GetInt64(), Is.EqualTo((await GetJsonAsync("/ogc/collections/scenes/items?limit=1000")).GetProperty("numberMatched").GetInt64()));
    }

    [Test]
    public async Task Bbox_and_datetime_filter_items()
    {
        var all = Features(await GetJsonAsync("/ogc/collections/chips/items?limit=1000"));
        var e = Envelope(all[0]);
        var inBox = Features(await GetJsonAsync(Inv($"/ogc/collections/chips/items?limit=1000&bbox={e[0]},{e[1]},{e[2]},{e[3]}&bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84")));
        Assert.That(inBox.Select(f => f.GetProperty("id").GetInt64()), Does.Contain(all[0].GetProperty("id").GetInt64()));
        Assert.That(inBox.Count, Is.LessThan(all.Count));
        var sixNumbers = Features(await GetJsonAsync(Inv($"/ogc/collections/chips/items?limit=1000&bbox={e[0]},{e[1]},0,{e[2]},{e[3]},100")));
        Assert.That(sixNumbers, Has.Count.EqualTo(inBox.Count));
        var world = Features(await GetJsonAsync("/ogc/collections/chips/items?limit=1000&bbox=-250,-100,250,100"));
        Assert.That(world, Has.Count.EqualTo(all.Count), "a box beyond the world is clamped, as zoomed-out map clients send");

        var acquired = all[0].GetProperty("properties").GetProperty("acquired").GetString()!;
        var instant = Features(await GetJsonAsync($"/ogc/collections/chips/items?limit=1000&datetime={acquired}"));
        Assert.That(instant.Select(f => f.GetProperty("properties").GetProperty("acquired").GetString()), Is.All.EqualTo(acquired));
        var open = Features(await GetJsonAsync($"/ogc/collections/chips/items?limit=1000&datetime=../{acquired}"));
        var openEnd = Features(await GetJsonAsync($"/ogc/collections/chips/items?limit=1000&datetime={acquired}/"));
        Assert.That(open.Count + openEnd.Count - instant.Count, Is.EqualTo(all.Count));
    }

    [Test]
    public async Task Limit_above_the_maximum_is_clamped_not_an_error()
    {
        var fc = await GetJsonAsync("/ogc/collections/chips/items?limit=5000");
        Assert.That(fc.GetProperty("numberReturned").GetInt32(), Is.LessThanOrEqualTo(1000));
    }

    // Bad or unknown parameters: Requests/RequestHttpTests (over the fake catalogue, no database).

    [Test]
    public async Task Single_items_and_missing_ones()
    {
        var chip = Features(await GetJsonAsync("/ogc/collections/chips/items?limit=1"))[0];
        var id = chip.GetProperty("id").GetInt64();
        var one = await GetJsonAsync($"/ogc/collections/chips/items/{id}");
        Assert.That(one.GetProperty("id").GetInt64(), Is.EqualTo(id));
        Assert.That(Link(one, "collection"), Does.EndWith("/ogc/collections/chips"));
        var sceneId = chip.GetProperty("properties").GetProperty("scene_id").GetInt64();
        var scene = await GetJsonAsync($"/ogc/collections/scenes/items/{sceneId}");
        Assert.That(scene.GetProperty("properties").GetProperty("chip_count").GetInt64(), Is.GreaterThan(0));
        await GetProblemAsync("/ogc/collections/chips/items/987654321", 404);
        await GetProblemAsync("/ogc/collections/chips/items/abc", 404);
        await GetProblemAsync($"/ogc/collections/chips/items/{id}?x=1", 400, "x");
    }

    [Test]
    public async Task Html_by_f_parameter_or_accept_header()
    {
        foreach (var url in new[] { "/ogc?f=html", "/ogc/conformance?f=html", "/ogc/api?f=html", "/ogc/collections?f=html", "/ogc/collections/chips?f=html",
                     "/ogc/collections/chips/items?f=html&q=farmland", "/ogc/collections/scenes/items?f=html" })
        {
            using var response = await Client.GetAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"), url);
            var html = await response.Content.ReadAsStringAsync();
            Assert.That(html, Does.StartWith("<!DOCTYPE html>").And.Contain("</html>"), url);
            Assert.That(html, Does.Not.Contain("<script"), url);
        }
        using var browser = new HttpRequestMessage(HttpMethod.Get, "/ogc/collections/chips/items?limit=2");
        browser.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        using var page = await Client.SendAsync(browser);
        Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain(".png"), "chip thumbnails on the page");

        using var gdal = new HttpRequestMessage(HttpMethod.Get, "/ogc/collections/chips/items?limit=2");
        gdal.Headers.Accept.ParseAdd("application/geo+json, application/json;q=0.9, text/html;q=0.5");
        using var json = await Client.SendAsync(gdal);
        Assert.That(json.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/geo+json"));
    }

    [Test]
    public async Task Html_escapes_what_users_typed()
    {
        using var response = await Client.GetAsync("/ogc/collections/chips/items?f=html&q=%3Cscript%3Ealert(1)%3C/script%3E");
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Not.Contain("<script>alert(1)"));
    }
}
