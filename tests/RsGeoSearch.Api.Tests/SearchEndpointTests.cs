using System.Net;
using System.Text.Json;

namespace RsGeoSearch.Api.Tests;

public sealed class SearchEndpointTests : ApiTestBase
{
    [Test]
    public async Task Text_search_returns_geojson_features_ordered_by_score()
    {
        using var response = await Client.GetAsync("/search?q=farmland&limit=5");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/geo+json"));
        var fc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(fc.GetProperty("type").GetString(), Is.EqualTo("FeatureCollection"));
        var features = Features(fc);
        Assert.That(features, Has.Count.EqualTo(5));
        var scores = features.Select(f => f.GetProperty("properties").GetProperty("score").GetDouble()).ToList();
        Assert.That(scores, Is.Ordered.Descending);
        var first = features[0];
        Assert.That(first.GetProperty("id").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(first.GetProperty("geometry").GetProperty("type").GetString(), Is.EqualTo("Polygon"));
        var ring = first.GetProperty("geometry").GetProperty("coordinates")[0];
        Assert.That(ring[0].ToString(), Is.EqualTo(ring[ring.GetArrayLength() - 1].ToString()), "closed ring");
        var p = first.GetProperty("properties");
        Assert.That(p.GetProperty("scene_id").GetInt64(), Is.GreaterThan(0));
        Assert.That(p.GetProperty("scene").GetString(), Does.Not.Contain("/"), "scene is a file name, not a server path");
        Assert.That(p.GetProperty("window").GetString(), Does.Match(@"^\d+,\d+,\d+,\d+$"));
        Assert.That(p.GetProperty("thumbnail").GetString(), Does.EndWith($"/chips/{first.GetProperty("id").GetInt64()}.png"));
        Assert.That(p.GetProperty("acquired").GetString(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"));
    }

    [Test]
    public async Task Bbox_limits_results_to_intersecting_footprints()
    {
        var all = Features(await GetJsonAsync("/search?limit=1000"));
        var box = Envelope(all[0]);
        var inside = Features(await GetJsonAsync(Inv($"/search?q=roads&limit=1000&bbox={box[0]},{box[1]},{(box[0] + box[2]) / 2},{(box[1] + box[3]) / 2}")));
        Assert.That(inside, Is.Not.Empty);
        Assert.That(inside.Count, Is.LessThan(all.Count));
        foreach (var f in inside)
        {
            var e = Envelope(f);
            Assert.That(e[0] <= (box[0] + box[2]) / 2 && e[2] >= box[0] && e[1] <= (box[1] + box[3]) / 2 && e[3] >= box[1], $"feature {f.GetProperty("id")} outside bbox");
        }
    }

    [Test]
    public async Task Datetime_filters_by_acquisition_time()
    {
        var all = Features(await GetJsonAsync("/search?limit=1000"));
        var day = all[0].GetProperty("properties").GetProperty("acquired").GetString()![..10];
        var sameDay = Features(await GetJsonAsync($"/search?limit=1000&datetime={day}"));
        Assert.That(sameDay, Is.Not.Empty);
        Assert.That(sameDay.Select(f => f.GetProperty("properties").GetProperty("acquired").GetString()![..10]), Is.All.EqualTo(day));
        var before = Features(await GetJsonAsync($"/search?limit=1000&datetime=../{day}"));
        var after = Features(await GetJsonAsync($"/search?limit=1000&datetime={day}/.."));
        Assert.That(before.Count + after.Count - sameDay.Count, Is.EqualTo(all.Count), "open intervals split the catalogue at that day");
    }

    [Test]
    public async Task Paging_with_offset_and_next_link_visits_every_match_once()
    {
        var first = await GetJsonAsync("/search?q=river&limit=4");
        var matched = first.GetProperty("numberMatched").GetInt64();
        var ids = Features(first).Select(f => f.GetProperty("id").GetInt64()).ToList();
        var page = first;
        while (HasLink(page, "next"))
        {
            page = await GetJsonAsync(Link(page, "next"));
            ids.AddRange(Features(page).Select(f => f.GetProperty("id").GetInt64()));
        }
        Assert.That(ids, Has.Count.EqualTo(matched));
        Assert.That(ids, Is.Unique);
    }

    [Test]
    public async Task Like_finds_chips_similar_to_examples()
    {
        var id = Features(await GetJsonAsync("/search?limit=1"))[0].GetProperty("id").GetInt64();
        var fc = await GetJsonAsync($"/search?like={id}&limit=5");
        Assert.That(Features(fc), Is.Not.Empty);
        Assert.That(Features(fc).Select(f => f.GetProperty("properties").GetProperty("score").GetDouble()), Is.Ordered.Descending);
    }
    // Parameter errors: Requests/RequestHttpTests (over the fake catalogue, no database).
}
