using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RsGeoSearch.Api.Features;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Endpoints;

/// <summary>
/// GET /search?q=&amp;bbox=&amp;datetime=&amp;limit=&amp;offset=&amp;min_score=&amp;model=&amp;like=&amp;unlike=
/// → GeoJSON FeatureCollection of chips, best score first (listed by id when there is no q and no like).
/// </summary>
internal static class SearchEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ApiOptions options)
    {
        app.MapGet("/search", async (HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var query = new QueryReader(context.Request.Query)
                .Only("q", "bbox", "datetime", "limit", "offset", "min_score", "model", "like", "unlike");
            var request = ChipQueryReader.Filter(query, options, defaultLimit: 10, clampLimit: false) with
            {
                Text = ChipQueryReader.Text(query),
                Like = query.Ids("like"),
                Unlike = query.Ids("unlike"),
            };
            if (request.Unlike is not null && request.Like is null && request.Text is null)
                throw new ParameterException("unlike", "unlike needs q or like: it pushes results away from examples, it does not search on its own");
            var page = await catalog.SearchAsync(request, ct);
            var links = CollectionJson.PageLinks(context, options, request.Offset, request.Limit, page.Items.Count, page.NumberMatched);
            return Results.Bytes(CollectionJson.Chips(page, Links.Base(context, options), links, withScore: true), CollectionJson.GeoJson);
        });
    }
}
