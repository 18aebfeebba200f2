using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using RsGeoSearch.Api.Features;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Api.Requests;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Endpoints;

/// <summary>GET / (index of links), /health (200 or 503), /models, /scenes, /scenes/{id}.</summary>
internal static class ServiceEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ApiOptions options)
    {
        app.MapGet("/", (HttpContext context) =>
        {
            // Browsers get the web map; other clients keep the JSON index of links.
            if (options.WebRoot is { } web && File.Exists(Path.Combine(web, "index.html")) &&
                context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
                return Results.File(Path.GetFullPath(Path.Combine(web, "index.html")), "text/html; charset=utf-8");
            var b = Links.Base(context, options);
            return Results.Json(new
            {
                title = options.Title,
                links = new[]
                {
                    new { href = $"{b}/search?q=farmland", rel = "search", type = CollectionJson.GeoJson },
                    new { href = $"{b}/ogc", rel = "ogc-api-features", type = "application/json" },
                    new { href = $"{b}/wfs?SERVICE=WFS&REQUEST=GetCapabilities", rel = "wfs", type = "application/xml" },
                    new { href = $"{b}/models", rel = "models", type = "application/json" },
                    new { href = $"{b}/scenes", rel = "scenes", type = CollectionJson.GeoJson },
                    new { href = $"{b}/health", rel = "health", type = "application/json" },
                },
            });
        });

        app.MapGet("/health", async (IChipCatalog catalog, ILoggerFactory logs, CancellationToken ct) =>
        {
            CatalogHealth health;
            try { health = await catalog.CheckHealthAsync(ct); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logs.CreateLogger("RsGeoSearch.Api.Health").LogWarning("health check failed: {Error}", e.Message);
                health = new CatalogHealth(false);
            }
            if (!health.Available) throw new ServiceUnavailableException("the database does not answer", TimeSpan.FromSeconds(5));
            if (health.UnreachableWorkers.Count > 0)
                throw new ServiceUnavailableException(
                    $"the database answers but {health.UnreachableWorkers.Count} of its {health.Workers} Citus workers do not "
                    + $"({string.Join(", ", health.UnreachableWorkers)}); searches that need their shards fail until they are back",
                    TimeSpan.FromSeconds(5));
            var cache = catalog.TextEmbeddingCache;
            return Results.Json(new
            {
                status = "ok",
                models = catalog.Models.Select(m => m.Name),
                database = new { distributed = health.Workers > 0, workers = health.Workers },
                text_embedding_cache = cache is null ? null : new { hits = cache.Hits, misses = cache.Misses, entries = cache.Entries },
            });
        });

        app.MapGet("/models", (HttpContext context, IChipCatalog catalog) =>
        {
            new QueryReader(context.Request.Query).Only();
            return Results.Json(new
            {
                models = catalog.Models.Select(m => new { name = m.Name, family = m.Family, dimension = m.Dimension, is_default = m.IsDefault }),
            });
        });

        app.MapGet("/scenes", async (HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var (bbox, time, limit, offset) = SearchRequest.ReadScenes(new QueryReader(context.Request.Query), options);
            var (items, matched) = await catalog.ListScenesAsync(bbox, time, limit, offset, ct);
            var links = CollectionJson.PageLinks(context, options, offset, limit, items.Count, matched);
            return Results.Bytes(CollectionJson.Scenes(items, matched, links), CollectionJson.GeoJson);
        });

        app.MapGet("/scenes/{id:long}", async (long id, HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            new QueryReader(context.Request.Query).Only();
            var scene = await catalog.GetSceneAsync(id, ct) ?? throw new NotFoundException($"scene {id} does not exist");
            return Results.Bytes(JsonBody.Write(w => FeatureJson.WriteScene(w, scene)), CollectionJson.GeoJson);
        });
    }
}
