using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using RsGeoSearch.Api;
using RsGeoSearch.Core;

namespace RsGeoSearch.Reliability.Tests;

/// <summary>The API over a catalogue in a test server (or on Kestrel at a free loopback port), with every log line captured.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private TestHost(WebApplication app, HttpClient client, CapturedLogs logs)
    {
        this.app = app;
        Client = client;
        Logs = logs;
    }

    public HttpClient Client { get; }
    public CapturedLogs Logs { get; }

    public static async Task<TestHost> StartAsync(IChipCatalog catalog, ApiOptions options, bool kestrel = false)
    {
        var logs = new CapturedLogs();
        var app = RsGeoApi.Build(catalog, options, b =>
        {
            if (!kestrel) b.WebHost.UseTestServer();
            b.Logging.ClearProviders();
            b.Logging.AddProvider(logs);
            b.Logging.SetMinimumLevel(LogLevel.Trace);
        });
        await app.StartAsync();
        var client = kestrel
            ? new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(2) }
            : app.GetTestClient();
        return new TestHost(app, client, logs);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
