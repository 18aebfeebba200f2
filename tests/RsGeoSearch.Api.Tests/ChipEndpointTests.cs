using System.Net;
using System.Net.Http.Headers;

namespace RsGeoSearch.Api.Tests;

public sealed class ChipEndpointTests : ApiTestBase
{
    private long chipId;

    [OneTimeSetUp]
    public async Task PickChipAsync() =>
        chipId = Features(await GetJsonAsync("/search?limit=1"))[0].GetProperty("id").GetInt64();

    [Test]
    public async Task Chip_is_a_geojson_feature()
    {
        var f = await GetJsonAsync($"/chips/{chipId}");
        Assert.That(f.GetProperty("type").GetString(), Is.EqualTo("Feature"));
        Assert.That(f.GetProperty("id").GetInt64(), Is.EqualTo(chipId));
        Assert.That(f.GetProperty("geometry").GetProperty("type").GetString(), Is.EqualTo("Polygon"));
        Assert.That(f.GetProperty("properties").GetProperty("level").GetInt32(), Is.GreaterThanOrEqualTo(0));
    }

    [Test]
    public async Task Missing_chip_is_404_problem()
    {
        await GetProblemAsync("/chips/987654321", 404);
        await GetProblemAsync("/chips/987654321.png", 404);
        await GetProblemAsync("/chips/987654321/similar", 404);
        await GetProblemAsync("/chips/not-a-number", 404);
    }

    [Test]
    public async Task Similar_chips_are_ranked_and_exclude_the_example()
    {
        var fc = await GetJsonAsync($"/chips/{chipId}/similar?limit=5");
        var features = Features(fc);
        Assert.That(features, Is.Not.Empty);
        Assert.That(features.Select(f => f.GetProperty("id").GetInt64()), Does.Not.Contain(chipId));
        Assert.That(features.Select(f => f.GetProperty("properties").GetProperty("score").GetDouble()), Is.Ordered.Descending);
    }

    [Test]
    public async Task Thumbnail_is_a_cacheable_png()
    {
        using var response = await Client.GetAsync($"/chips/{chipId}.png?size=64");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/png"));
        var png = await response.Content.ReadAsByteArrayAsync();
        Assert.That(png.Take(4), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }));
        Assert.That(response.Headers.CacheControl?.Public, Is.True);
        var etag = response.Headers.ETag;
        Assert.That(etag, Is.Not.Null);

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/chips/{chipId}.png?size=64");
        again.Headers.IfNoneMatch.Add(etag!);
        using var notModified = await Client.SendAsync(again);
        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));

        using var other = new HttpRequestMessage(HttpMethod.Get, $"/chips/{chipId}.png?size=64");
        other.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"something-else\""));
        using var full = await Client.SendAsync(other);
        Assert.That(full.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await full.Content.ReadAsByteArrayAsync(), Is.EqualTo(png));
    }

    [TestCase("size=5")]
    [TestCase("size=99999")]
    [TestCase("size=big")]
    [TestCase("width=10")]
    public async Task Bad_thumbnail_parameters_are_400(string query) =>
        await GetProblemAsync($"/chips/{chipId}.png?{query}", 400);
}
