using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RsGeoSearch.Api.Features;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Api.Requests;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Endpoints;

/// <summary>
/// GET /search?q=&amp;not=&amp;bbox=&amp;datetime=&amp;limit=&amp;offset=&amp;min_score=&amp;min_relevance=&amp;group=&amp;model=&amp;like=&amp;unlike=
/// → GeoJSON FeatureCollection of chips (or places with group=place), best score first (listed by id when there is
/// no q and no like), with the member "search" (plan, recall, min_relevance, and a message when nothing matched).
/// </summary>
internal static class SearchEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ApiOptions options)
    {
        app.MapGet("/search", async (HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var request = SearchRequest.Read(new QueryReader(context.Request.Query), options);
            var page = await catalog.SearchAsync(request, ct);
            var links = CollectionJson.PageLinks(context, options, request.Offset, request.Limit, page.Items.Count, page.NumberMatched);
            return Results.Bytes(CollectionJson.Chips(page, Links.Base(context, options), links, withScore: true), CollectionJson.GeoJson);
        });
    }
}
