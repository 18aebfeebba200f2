using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Tests;

/// <summary>The API over a catalogue, in a test server (in-process HTTP) or on Kestrel at a free loopback port (for real clients).</summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private ApiHost(WebApplication app, HttpClient client, string baseUrl)
    {
        this.app = app;
        Client = client;
        BaseUrl = baseUrl;
    }

    public HttpClient Client { get; }
    public string BaseUrl { get; }

    public static async Task<ApiHost> StartTestServerAsync(IChipCatalog catalog, ApiOptions options)
    {
        var app = RsGeoApi.Build(catalog, options, b =>
        {
            b.WebHost.UseTestServer();
            b.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync();
        var client = app.GetTestClient();
        return new ApiHost(app, client, client.BaseAddress!.ToString().TrimEnd('/'));
    }

    public static async Task<ApiHost> StartKestrelAsync(IChipCatalog catalog, ApiOptions options)
    {
        var app = RsGeoApi.Build(catalog, new ApiOptions
        {
            Urls = ["http://127.0.0.1:0"], ApiKey = options.ApiKey, MaxUploadBytes = options.MaxUploadBytes, MaxLimit = options.MaxLimit,
        }, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var url = app.Urls.First().TrimEnd('/');
        return new ApiHost(app, new HttpClient { BaseAddress = new Uri(url) }, url);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
