using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RsGeoSearch.Api.Endpoints;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api;

/// <summary>
/// Builds the HTTP application over a catalogue: JSON API (/search, /chips, /scenes, /classify ...),
/// OGC API - Features (/ogc) and WFS 2.0 (/wfs). Used by `rsgeo serve` and by the tests (with a test server).
/// </summary>
public static class RsGeoApi
{
    public static WebApplication Build(IChipCatalog catalog, ApiOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(RsGeoApi).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxUploadBytes + 2 * 1024 * 1024;
            // Above HttpConformance's limits, so a long URL or header section gets its 414/431 problem document.
            k.Limits.MaxRequestLineSize = HttpConformance.MaxUrl * HttpConformance.KestrelFactor;
            k.Limits.MaxRequestHeadersTotalSize = HttpConformance.MaxHeaders * HttpConformance.KestrelFactor;
        });
        builder.Services.AddSingleton(catalog);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ThumbnailCache>();
        if (options.CorsOrigins.Count > 0)
            builder.Services.AddCors(c => c.AddDefaultPolicy(p =>
            {
                if (options.CorsOrigins.Contains("*")) p.AllowAnyOrigin(); else p.WithOrigins([.. options.CorsOrigins]);
                p.WithMethods("GET", "POST").WithHeaders("Content-Type", "X-API-Key", "Authorization").WithExposedHeaders("ETag", "Retry-After");
            }));
        configure?.Invoke(builder);

        var app = builder.Build();
        if (options.ApiKey is null)
            app.Logger.LogWarning("no API key configured: POST /classify, /similarity and /embed are open to anyone who can reach the server");
        app.UseMiddleware<ErrorMiddleware>();
        app.UseMiddleware<HttpConformance>();
        app.UseRouting(); // inside the error middleware, so routing failures are problems too
        if (options.WebRoot is { } webRoot && File.Exists(Path.Combine(webRoot, "index.html")))
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetFullPath(webRoot)) });
        if (options.CorsOrigins.Count > 0) app.UseCors();
        ServiceEndpoints.Map(app, options);
        SearchEndpoints.Map(app, options);
        ChangeEndpoints.Map(app, options);
        ChipEndpoints.Map(app, options);
        InferenceEndpoints.Map(app, options);
        OgcEndpoints.Map(app, options);
        WfsEndpoints.Map(app, options);
        ExportEndpoints.Map(app, options);
        return app;
    }
}
