using System.Net;
using System.Text.Json;
using RsGeoSearch.Api;
using RsGeoSearch.Core;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Changes.Tests;

/// <summary>GET /changes over the real catalogue, in an in-process test server.</summary>
[TestFixture]
public sealed class ApiTests
{
    private ApiHost _host = null!;
    private HttpClient _client = null!;
    private BoundingBox _box;
    private long _chipsPerScene;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        (_box, _chipsPerScene) = await LandsatTwins.GetAsync();
        _host = await ApiHost.StartAsync(ChangeTestBed.Catalog, new ApiOptions());
        _client = _host.Client;
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _host.DisposeAsync();

    private string Box => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_box.MinX},{_box.MinY},{_box.MaxX},{_box.MaxY}");

    [Test]
    public async Task ChangesAreGeoJsonFeaturesWithBothChipsDatesScoresAndThumbnails()
    {
        var response = await _client.GetAsync($"/changes?bbox={Box}&from=2031-01-01&to=2032-12-31&limit=1000");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/geo+json"));
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        Assert.That(root.GetProperty("type").GetString(), Is.EqualTo("FeatureCollection"));
        Assert.That(root.GetProperty("dates").EnumerateArray().Select(d => d.GetString()), Is.EqualTo(new[] { "2031-03-01", "2032-03-01" }));
        var features = root.GetProperty("features").EnumerateArray().ToList();
        Assert.That(features, Has.Count.EqualTo(_chipsPerScene));
        foreach (var f in features)
        {
            var p = f.GetProperty("properties");
            var before = p.GetProperty("before_chip").GetInt64();
            var after = p.GetProperty("after_chip").GetInt64();
            Assert.That(f.GetProperty("id").GetString(), Is.EqualTo($"{before}-{after}"));
            Assert.That(f.GetProperty("geometry").GetProperty("type").GetString(), Is.EqualTo("Polygon"));
            Assert.That(p.GetProperty("change").GetDouble(), Is.LessThan(1e-5));
            Assert.That(p.GetProperty("before_acquired").GetString(), Is.EqualTo("2031-03-01T00:00:00Z"));
            Assert.That(p.GetProperty("after_acquired").GetString(), Is.EqualTo("2032-03-01T00:00:00Z"));
            Assert.That(p.GetProperty("before_thumbnail").GetString(), Does.EndWith($"/chips/{before}.png"));
            Assert.That(p.GetProperty("after_thumbnail").GetString(), Does.EndWith($"/chips/{after}.png"));
            Assert.That(p.GetProperty("text_score").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }

        var thumbnail = await _client.GetAsync(new Uri(features[0].GetProperty("properties").GetProperty("after_thumbnail").GetString()!).PathAndQuery);
        Assert.That(thumbnail.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(thumbnail.Content.Headers.ContentType!.MediaType, Is.EqualTo("image/png"));
    }

    [Test]
    public async Task TextGuidedChangesCarryTheirTextScore()
    {
        var response = await _client.GetAsync($"/changes?bbox={Box}&from=2032-01-01&to=2033-12-31&q=a%20river&limit=5");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        using var doc = JsonDocument.Parse(body);
        var scores = doc.RootElement.GetProperty("features").EnumerateArray()
            .Select(f => (Score: f.GetProperty("properties").GetProperty("score").GetDouble(), Text: f.GetProperty("properties").GetProperty("text_score").GetDouble())).ToList();
        Assert.That(scores, Has.Count.EqualTo(5));
        Assert.That(scores.Select(s => s.Score), Is.EqualTo(scores.Select(s => s.Text)));
        Assert.That(scores.Select(s => s.Score), Is.Ordered.Descending);
    }

    [TestCase("", "bbox")]
    [TestCase("bbox=1,2,3", "bbox")]
    [TestCase("bbox=-150,-10,-149,-9&from=2021-05-01&to=2020-01-01", "is not before")]
    [TestCase("bbox=-150,-10,-149,-9&from=2021-13-01", "'2021-13-01' is not a date")]
    [TestCase("bbox=-150,-10,-149,-9&from=2031-01-01&to=2032-12-31", "no imagery")]
    [TestCase("bbox=-150,-10,-149,-9&q=water&to_q=city", "not both")]
    [TestCase("bbox=-150,-10,-149,-9&pairs=all", "pairs")]
    [TestCase("bbox=-150,-10,-149,-9&to=9999-12-31", "no imagery")]
    [TestCase("bbox=-150,-10,-149,-9&iou=0", "iou")]
    [TestCase("bbox=-150,-10,-149,-9&limit=0", "limit")]
    [TestCase("bbox=-150,-10,-149,-9&normalise=perhaps", "normalise")]
    [TestCase("bbox=-150,-10,-149,-9&colour=red", "unknown query parameter 'colour'")]
    public async Task BadRequestsAreProblemDetails(string query, string message)
    {
        var response = await _client.GetAsync("/changes?" + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/problem+json"));
        using var problem = JsonDocument.Parse(body);
        Assert.That(problem.RootElement.GetProperty("status").GetInt32(), Is.EqualTo(400));
        Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.Contain(message));
    }

    [Test]
    public async Task ChangesAreAnOgcCollectionWithAddressableFeatures()
    {
        var collections = await _client.GetStringAsync("/ogc/collections");
        using (var doc = JsonDocument.Parse(collections))
            Assert.That(doc.RootElement.GetProperty("collections").EnumerateArray().Select(c => c.GetProperty("id").GetString()), Does.Contain("changes"));

        var response = await _client.GetAsync($"/ogc/collections/changes/items?bbox={Box}&datetime=2032-01-01/2033-12-31&limit=3");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/geo+json"));
        using var items = JsonDocument.Parse(body);
        var features = items.RootElement.GetProperty("features").EnumerateArray().ToList();
        Assert.That(features, Has.Count.EqualTo(3));
        Assert.That(items.RootElement.GetProperty("links").EnumerateArray().Select(l => l.GetProperty("rel").GetString()), Does.Contain("self").And.Contain("collection"));

        var id = features[1].GetProperty("id").GetString();
        var one = await _client.GetAsync($"/ogc/collections/changes/items/{id}");
        var oneBody = await one.Content.ReadAsStringAsync();
        Assert.That(one.StatusCode, Is.EqualTo(HttpStatusCode.OK), oneBody);
        using var feature = JsonDocument.Parse(oneBody);
        Assert.That(feature.RootElement.GetProperty("id").GetString(), Is.EqualTo(id));
        Assert.That(feature.RootElement.GetProperty("properties").GetProperty("change").GetDouble(),
            Is.EqualTo(features[1].GetProperty("properties").GetProperty("change").GetDouble()).Within(1e-6));

        Assert.That((await _client.GetAsync("/ogc/collections/changes/items/999999-1000000")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await _client.GetAsync("/ogc/collections/changes/items/abc")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var empty = await _client.GetAsync("/ogc/collections/changes/items?bbox=-150,-10,-149,-9");
        Assert.That(empty.StatusCode, Is.EqualTo(HttpStatusCode.OK), "browsing an area without imagery lists no changes");
        using (var emptyDoc = JsonDocument.Parse(await empty.Content.ReadAsStringAsync()))
            Assert.That(emptyDoc.RootElement.GetProperty("features").GetArrayLength(), Is.Zero);
        var reversed = await _client.GetAsync($"/ogc/collections/changes/items?bbox={Box}&datetime=2033-01-01/2032-01-01");
        Assert.That(reversed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var html = await _client.GetAsync($"/ogc/collections/changes/items?bbox={Box}&datetime=2032-01-01/2033-12-31&limit=2&f=html");
        Assert.That(html.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
        Assert.That(await html.Content.ReadAsStringAsync(), Does.Contain("/chips/").And.Contain(".png"));
    }

    [Test]
    public async Task OgcChangesPageThroughTheRankingByNextLinks()
    {
        var all = await FeatureIdsAsync($"/ogc/collections/changes/items?bbox={Box}&datetime=2032-01-01/2033-12-31&limit=500");
        Assert.That(all.Ids, Has.Count.GreaterThanOrEqualTo(4), "the test bed has enough changed places to page through");
        Assert.That(all.Matched, Is.EqualTo(all.Ids.Count));

        var paged = new List<string>();
        var url = $"/ogc/collections/changes/items?bbox={Box}&datetime=2032-01-01/2033-12-31&limit=20";
        for (var pages = 0; url is not null && pages < 50; pages++)
        {
            var page = await FeatureIdsAsync(url);
            Assert.That(page.Ids, Has.Count.LessThanOrEqualTo(20));
            paged.AddRange(page.Ids);
            url = page.Next is { } next ? new Uri(next).PathAndQuery : null;
        }
        Assert.That(paged, Is.EqualTo(all.Ids), "the pages, followed by their next links, are the whole ranking in order");

        var second = await FeatureIdsAsync($"/ogc/collections/changes/items?bbox={Box}&datetime=2032-01-01/2033-12-31&limit=3&offset=3");
        Assert.That(second.Ids, Is.EqualTo(all.Ids.Skip(3).Take(3)));
        Assert.That(second.Prev, Is.Not.Null);
        var json = await FeatureIdsAsync($"/changes?bbox={Box}&from=2032-01-01&to=2033-12-31&limit=2&offset=1");
        Assert.That(json.Ids, Is.EqualTo(all.Ids.Skip(1).Take(2)), "GET /changes pages the same ranking");
        var bad = await _client.GetAsync($"/ogc/collections/changes/items?bbox={Box}&offset=-1");
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    private async Task<(List<string> Ids, long Matched, string? Next, string? Prev)> FeatureIdsAsync(string url)
    {
        var response = await _client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        var ids = root.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").ToString()).ToList();
        string? Link(string rel) => root.TryGetProperty("links", out var links)
            ? links.EnumerateArray().Where(l => l.GetProperty("rel").GetString() == rel).Select(l => l.GetProperty("href").GetString()).FirstOrDefault()
            : null;
        return (ids, root.GetProperty("numberMatched").GetInt64(), Link("next"), Link("prev"));
    }
}
