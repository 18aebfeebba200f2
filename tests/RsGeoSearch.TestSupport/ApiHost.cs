using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RsGeoSearch.Api;
using RsGeoSearch.Core;

namespace RsGeoSearch.TestSupport;

/// <summary>
/// The API over a catalogue, in a test server (in-process HTTP) or on Kestrel (for real clients: give the options
/// <see cref="Loopback"/> for a free port), optionally with every log line captured.
/// </summary>
public sealed class ApiHost : IAsyncDisposable
{
    /// <summary>A free port on the loopback interface, for <see cref="ApiOptions.Urls"/>.</summary>
    public const string Loopback = "http://127.0.0.1:0";

    private readonly WebApplication app;

    private ApiHost(WebApplication app, HttpClient client, CapturedLogs? logs)
    {
        this.app = app;
        Client = client;
        BaseUrl = client.BaseAddress!.ToString().TrimEnd('/');
        Logs = logs;
    }

    public HttpClient Client { get; }
    public string BaseUrl { get; }

    /// <summary>Every log line from Trace up, when started with captureLogs; null otherwise (warnings go to the console).</summary>
    public CapturedLogs? Logs { get; }

    public static async Task<ApiHost> StartAsync(IChipCatalog catalog, ApiOptions options, bool kestrel = false, bool captureLogs = false,
        Action<IServiceCollection>? services = null)
    {
        var logs = captureLogs ? new CapturedLogs() : null;
        var app = RsGeoApi.Build(catalog, options, b =>
        {
            if (!kestrel) b.WebHost.UseTestServer();
            services?.Invoke(b.Services);
            if (logs is null)
            {
                b.Logging.SetMinimumLevel(LogLevel.Warning);
                return;
            }
            b.Logging.ClearProviders();
            b.Logging.AddProvider(logs);
            b.Logging.SetMinimumLevel(LogLevel.Trace);
        });
        await app.StartAsync();
        var client = kestrel
            ? new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(2) }
            : app.GetTestClient();
        return new ApiHost(app, client, logs);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
