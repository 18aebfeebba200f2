using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RsGeoSearch.Api.Features;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Api.Requests;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Endpoints;

/// <summary>GET /chips/{id} (GeoJSON feature), /chips/{id}/similar (FeatureCollection), /chips/{id}.png (thumbnail).</summary>
internal static class ChipEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ApiOptions options)
    {
        app.MapGet("/chips/{id:long}", async (long id, HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            new QueryReader(context.Request.Query).Only();
            var chip = await catalog.GetChipAsync(id, ct) ?? throw new NotFoundException($"chip {id} does not exist");
            var body = JsonBody.Write(w => FeatureJson.WriteChip(w, new ScoredChip(chip, null), Links.Base(context, options), withScore: false));
            return Results.Bytes(body, CollectionJson.GeoJson);
        });

        app.MapGet("/chips/{id:long}/similar", async (long id, HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var request = SearchRequest.ReadSimilar(new QueryReader(context.Request.Query), options, id);
            _ = await catalog.GetChipAsync(id, ct) ?? throw new NotFoundException($"chip {id} does not exist");
            var page = await catalog.SearchAsync(request, ct);
            var links = CollectionJson.PageLinks(context, options, request.Offset, request.Limit, page.Items.Count, page.NumberMatched);
            return Results.Bytes(CollectionJson.Chips(page, Links.Base(context, options), links, withScore: true), CollectionJson.GeoJson);
        });

        app.MapGet("/chips/{id:long}.png", async (long id, HttpContext context, IChipCatalog catalog, ThumbnailCache cache, CancellationToken ct) =>
        {
            var size = new QueryReader(context.Request.Query).Only(Parameters.Size.Name).Int(Parameters.Size.Name, 256, 16, 1024);
            var (png, etag) = await cache.GetAsync(id, size, () => catalog.RenderChipPngAsync(id, size, ct));
            context.Response.Headers.CacheControl = "public, max-age=86400";
            context.Response.Headers.ETag = etag;
            if (context.Request.Headers.IfNoneMatch.Any(v => v is not null && (v == etag || v == "*" || v.Split(',').Any(t => t.Trim() == etag))))
                return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Bytes(png, "image/png");
        });
    }
}
