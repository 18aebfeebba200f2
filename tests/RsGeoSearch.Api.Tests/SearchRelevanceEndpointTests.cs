using System.Text.Json;

namespace RsGeoSearch.Api.Tests;

/// <summary>
/// The search parameters of issue 22 over HTTP (the tiny test model has no relevance calibration; calibrated relevance
/// itself is tested with rsgeo-mini in the pipeline tests): not, min_relevance, group, and the member "search".
/// </summary>
public sealed class SearchRelevanceEndpointTests : ApiTestBase
{
    private static IEnumerable<long> Ids(JsonElement fc) => Features(fc).Select(f => f.GetProperty("id").GetInt64());

    [Test]
    public async Task Not_pushes_the_ranking_away_and_every_ranked_answer_states_its_plan()
    {
        var plain = await GetJsonAsync("/search?q=farmland&limit=20");
        var negative = await GetJsonAsync("/search?q=farmland&not=a%20road,buildings&limit=20");
        Assert.That(Features(negative), Has.Count.EqualTo(20));
        Assert.That(Ids(negative), Is.Not.EqualTo(Ids(plain)), "the negative terms change the ranking");
        foreach (var fc in new[] { plain, negative })
        {
            var search = fc.GetProperty("search");
            Assert.That(search.GetProperty("plan").GetString(), Is.AnyOf("exact", "approximate"));
            if (search.GetProperty("plan").GetString() == "approximate")
                Assert.That(search.GetProperty("recall").GetDouble(), Is.InRange(0.0, 1.0));
            Assert.That(search.GetProperty("group").GetString(), Is.EqualTo("chip"));
        }
        var listing = await GetJsonAsync("/search?limit=3");
        Assert.That(listing.TryGetProperty("search", out _), Is.False, "a listing without a query is not a search");
    }

    [Test]
    public async Task Group_place_returns_one_feature_per_place_with_its_other_dates()
    {
        var fc = await GetJsonAsync("/search?q=farmland&group=place&limit=4");
        var features = Features(fc);
        Assert.That(features, Has.Count.EqualTo(4));
        Assert.That(fc.GetProperty("search").GetProperty("group").GetString(), Is.EqualTo("place"));
        var seen = new HashSet<long>();
        foreach (var f in features)
        {
            var p = f.GetProperty("properties");
            Assert.That(p.GetProperty("dates").GetInt32(), Is.EqualTo(10), "the NAIP series has ten dates of each place");
            var others = p.GetProperty("other_dates").EnumerateArray().ToList();
            Assert.That(others, Has.Count.EqualTo(9));
            Assert.That(others.All(o => o.GetProperty("score").GetDouble() <= p.GetProperty("score").GetDouble() + 1e-6), Is.True);
            Assert.That(seen.Add(f.GetProperty("id").GetInt64()), Is.True);
            foreach (var o in others) Assert.That(seen.Add(o.GetProperty("chip_id").GetInt64()), Is.True, "a chip belongs to one place");
        }
        var next = await GetJsonAsync("/search?q=farmland&group=place&limit=4&offset=4");
        Assert.That(Ids(next).Intersect(seen), Is.Empty, "the next page holds other places");
    }

    // Bad values of not, min_relevance and group: Requests/RequestHttpTests (over the fake catalogue, no database).

    [Test]
    public async Task Min_relevance_needs_a_calibrated_model()
    {
        var problem = await GetProblemAsync("/search?q=farmland&min_relevance=0.5", 400);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("rsgeo eval calibrate"));
    }

    [Test]
    public async Task Ogc_items_accept_not_and_group_and_the_openapi_document_describes_them()
    {
        var fc = await GetJsonAsync("/ogc/collections/chips/items?q=farmland&not=roads&group=place&limit=3");
        Assert.That(Features(fc), Has.Count.EqualTo(3));
        Assert.That(Features(fc).All(f => f.GetProperty("properties").TryGetProperty("other_dates", out _)), Is.True);
        using var api = await Client.GetAsync("/ogc/api");
        var doc = JsonDocument.Parse(await api.Content.ReadAsStringAsync()).RootElement;
        var parameters = doc.GetProperty("components").GetProperty("parameters");
        foreach (var name in new[] { "not", "min_relevance", "group" })
            Assert.That(parameters.TryGetProperty(name, out _), Is.True, name);
        Assert.That(parameters.GetProperty("min_relevance").GetProperty("schema").GetProperty("maximum").GetDouble(), Is.EqualTo(1));
        Assert.That(parameters.GetProperty("group").GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()),
            Is.EquivalentTo(new[] { "chip", "place" }));
    }
}
