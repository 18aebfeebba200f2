using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RsGeoSearch.Api.Features;
using RsGeoSearch.Api.Http;
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
            var query = new QueryReader(context.Request.Query)
                .Only("q", "not", "bbox", "datetime", "limit", "offset", "min_score", "min_relevance", "group", "model", "like", "unlike");
            var request = ChipQueryReader.Ranking(query, ChipQueryReader.Filter(query, options, defaultLimit: 10, clampLimit: false)) with
            {
                Text = ChipQueryReader.Text(query),
                Like = query.Ids("like"),
                Unlike = query.Ids("unlike"),
            };
            if (request.Unlike is not null && request.Like is null && request.Text is null)
                throw new ParameterException("unlike", "unlike needs q or like: it pushes results away from examples, it does not search on its own");
            if (request.Not is not null && request.Like is null && request.Text is null)
                throw new ParameterException("not", "not needs q or like: it pushes results away from the terms, it does not search on its own");
            if (request.Text is null && request.Like is null && (request.MinRelevance is not null || request.Group != SearchGrouping.Chip))
                throw new ParameterException(request.MinRelevance is not null ? "min_relevance" : "group", "min_relevance and group need q or like (a ranked search)");
            var page = await catalog.SearchAsync(request, ct);
            var links = CollectionJson.PageLinks(context, options, request.Offset, request.Limit, page.Items.Count, page.NumberMatched);
            return Results.Bytes(CollectionJson.Chips(page, Links.Base(context, options), links, withScore: true), CollectionJson.GeoJson);
        });
    }
}
