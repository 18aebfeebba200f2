using System.Net;

namespace RsGeoSearch.Api.Tests;

public sealed class ServiceEndpointTests : ApiTestBase
{
    [Test]
    public async Task Health_is_ok_when_the_catalogue_answers()
    {
        var health = await GetJsonAsync("/health");
        Assert.That(health.GetProperty("status").GetString(), Is.EqualTo("ok"));
        var database = health.GetProperty("database");
        Assert.That(database.GetProperty("distributed").GetBoolean(), Is.EqualTo(TestSupport.TestDatabase.IsCitus));
        Assert.That(database.GetProperty("workers").GetInt32(), Is.EqualTo(TestSupport.TestDatabase.IsCitus ? 2 : 0));
    }

    [Test]
    public async Task Models_lists_one_default()
    {
        var models = (await GetJsonAsync("/models")).GetProperty("models").EnumerateArray().ToList();
        Assert.That(models, Is.Not.Empty);
        Assert.That(models.Count(m => m.GetProperty("is_default").GetBoolean()), Is.EqualTo(1));
        Assert.That(models[0].GetProperty("dimension").GetInt32(), Is.GreaterThan(0));
    }

    [Test]
    public async Task Scenes_are_features_with_footprints_and_chip_counts()
    {
        var fc = await GetJsonAsync("/scenes");
        var scenes = Features(fc);
        Assert.That(scenes, Is.Not.Empty);
        Assert.That(fc.GetProperty("numberMatched").GetInt64(), Is.EqualTo(scenes.Count));
        var first = scenes[0];
        Assert.That(first.GetProperty("geometry").GetProperty("type").GetString(), Is.EqualTo("Polygon"));
        Assert.That(first.GetProperty("properties").GetProperty("chip_count").GetInt64(), Is.GreaterThan(0));
        Assert.That(first.GetProperty("properties").GetProperty("name").GetString(), Does.Not.Contain("/"));
        var one = await GetJsonAsync($"/scenes/{first.GetProperty("id").GetInt64()}");
        Assert.That(one.GetProperty("id").GetInt64(), Is.EqualTo(first.GetProperty("id").GetInt64()));
        var e = Envelope(first);
        var filtered = Features(await GetJsonAsync(Inv($"/scenes?bbox={e[0]},{e[1]},{e[0] + (e[2] - e[0]) / 10},{e[1] + (e[3] - e[1]) / 10}")));
        Assert.That(filtered.Select(f => f.GetProperty("id").GetInt64()), Does.Contain(first.GetProperty("id").GetInt64()));
    }

    [Test]
    public async Task Scene_errors_are_problems()
    {
        await GetProblemAsync("/scenes/987654321", 404);
    }

    [Test]
    public async Task Unknown_paths_and_methods_are_problems()
    {
        await GetProblemAsync("/no/such/thing", 404);
        using var post = await Client.PostAsync("/search", new StringContent("x"));
        await AssertProblemAsync(post, 405);
    }

    [Test]
    public async Task Index_links_the_services()
    {
        var index = await GetJsonAsync("/");
        Assert.That(Link(index, "ogc-api-features"), Does.EndWith("/ogc"));
        Assert.That(Link(index, "wfs"), Does.Contain("/wfs?"));
    }
}
