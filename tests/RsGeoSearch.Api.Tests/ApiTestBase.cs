using System.Net;
using System.Text.Json;
using RsGeoSearch.Core;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Api.Tests;

/// <summary>Starts the API in a test server over the shared catalogue (or a fake one); helpers to read JSON and check problem documents.</summary>
public abstract class ApiTestBase
{
    protected const string ApiKey = "test-key-0123456789";
    protected ApiHost Host = null!;
    protected IChipCatalog Catalog = null!;
    protected HttpClient Client => Host.Client;

    protected virtual ApiOptions Options => new() { ApiKey = ApiKey, MaxUploadBytes = 64 * 1024, MaxLimit = 1000 };

    /// <summary>The catalogue behind the API: the shared real one; parameter and format tests give a <see cref="FakeCatalog"/>.</summary>
    protected virtual Task<IChipCatalog> CreateCatalogAsync() => TestCatalog.GetAsync();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Catalog = await CreateCatalogAsync();
        Host = await ApiHost.StartAsync(Catalog, Options);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await Host.DisposeAsync();

    protected async Task<JsonElement> GetJsonAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"GET {url}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a 4xx RFC 7807 problem document with the given status (and the parameter it names, if any).</summary>
    protected static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string? parameter = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(status));
        Assert.That(problem.GetProperty("title").GetString(), Is.Not.Empty);
        Assert.That(text, Does.Not.Contain("   at ").And.Not.Contain("Exception"), "no stack traces or exception names");
        if (parameter is not null) Assert.That(problem.GetProperty("parameter").GetString(), Is.EqualTo(parameter), text);
        return problem;
    }

    protected async Task<JsonElement> GetProblemAsync(string url, int status, string? parameter = null)
    {
        using var response = await Client.GetAsync(url);
        return await AssertProblemAsync(response, status, parameter);
    }

    protected static IReadOnlyList<JsonElement> Features(JsonElement collection) =>
        collection.GetProperty("features").EnumerateArray().ToList();

    protected static string Link(JsonElement doc, string rel) =>
        doc.GetProperty("links").EnumerateArray().First(l => l.GetProperty("rel").GetString() == rel).GetProperty("href").GetString()!;

    protected static bool HasLink(JsonElement doc, string rel) =>
        doc.GetProperty("links").EnumerateArray().Any(l => l.GetProperty("rel").GetString() == rel);

    /// <summary>[minx, miny, maxx, maxy] of a feature's polygon.</summary>
    protected static double[] Envelope(JsonElement feature)
    {
        var ring = feature.GetProperty("geometry").GetProperty("coordinates")[0].EnumerateArray().Select(p => (X: p[0].GetDouble(), Y: p[1].GetDouble())).ToList();
        return [ring.Min(p => p.X), ring.Min(p => p.Y), ring.Max(p => p.X), ring.Max(p => p.Y)];
    }

    protected static string Inv(FormattableString s) => FormattableString.Invariant(s);
}
