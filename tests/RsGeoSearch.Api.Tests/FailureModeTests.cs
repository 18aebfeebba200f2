using System.Net;
using System.Net.Http.Headers;
using System.Xml.Linq;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Api.Tests;

/// <summary>A database that is down (503 + Retry-After), a request past its time limit (504) and CORS.</summary>
public sealed class FailureModeTests
{
    [Test]
    [NonParallelizable]
    public async Task Database_down_is_503_with_retry_after_everywhere_and_recovers()
    {
        var database = await TestCatalog.DatabaseAsync();
        await using var host = await ApiHost.StartAsync(await TestCatalog.GetAsync(), new ApiOptions());
        await database.Cluster.StopAsync();
        try
        {
            foreach (var url in new[] { "/health", "/search?q=farmland", "/scenes", "/ogc/collections", "/ogc/collections/chips/items?q=x", "/chips/1" })
            {
                using var response = await host.Client.GetAsync(url);
                Assert.That((int)response.StatusCode, Is.EqualTo(503), url);
                Assert.That(response.Headers.RetryAfter?.Delta?.TotalSeconds, Is.GreaterThan(0), url);
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), url);
            }
            using var wfs = await host.Client.GetAsync("/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=rsgeo:chips");
            Assert.That((int)wfs.StatusCode, Is.EqualTo(503));
            Assert.That(wfs.Headers.RetryAfter, Is.Not.Null);
            var report = XElement.Parse(await wfs.Content.ReadAsStringAsync());
            Assert.That(report.Name.LocalName, Is.EqualTo("ExceptionReport"));
        }
        finally
        {
            await database.Cluster.StartAsync();
        }
        // The service recovers by itself once the database is back (the connection pool reconnects).
        using var healthy = await host.Client.GetAsync("/search?q=farmland&limit=3");
        Assert.That((int)healthy.StatusCode, Is.EqualTo(200), await healthy.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_request_past_its_time_limit_is_504()
    {
        await using var host = await ApiHost.StartAsync(await TestCatalog.GetAsync(), new ApiOptions { RequestTimeout = TimeSpan.Zero });
        var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(AidImage())), "image", "a.png" } };
        using var response = await host.Client.PostAsync("/embed", form);
        Assert.That((int)response.StatusCode, Is.EqualTo(504));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task Cors_allows_only_configured_origins()
    {
        await using var host = await ApiHost.StartAsync(await TestCatalog.GetAsync(), new ApiOptions { CorsOrigins = ["https://maps.example.org"] });
        async Task<HttpResponseMessage> Preflight(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/search?q=farmland");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "GET");
            return await host.Client.SendAsync(request);
        }
        using var allowed = await Preflight("https://maps.example.org");
        Assert.That(allowed.Headers.GetValues("Access-Control-Allow-Origin"), Is.EqualTo(new[] { "https://maps.example.org" }));
        using var other = await Preflight("https://evil.example.com");
        Assert.That(other.Headers.Contains("Access-Control-Allow-Origin"), Is.False);

        using var get = new HttpRequestMessage(HttpMethod.Get, "/ogc");
        get.Headers.Add("Origin", "https://maps.example.org");
        get.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await host.Client.SendAsync(get);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.GetValues("Access-Control-Allow-Origin").Single(), Is.EqualTo("https://maps.example.org"));
    }

    private static string AidImage() =>
        Directory.EnumerateFiles(RsGeoSearch.Core.SharedData.Path("scenes", "aid", "Beach"), "*.jpg").Order(StringComparer.Ordinal).First();
}
