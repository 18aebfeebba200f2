using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RsGeoSearch.Api.Features;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Api.Ogc;
using RsGeoSearch.Api.Requests;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Endpoints;

/// <summary>
/// GET /changes?bbox=&amp;from=&amp;to=&amp;q=&amp;from_q=&amp;to_q=&amp;limit=&amp;iou=&amp;normalise=&amp;pairs=&amp;model=
/// → GeoJSON FeatureCollection of places that changed between two acquisition dates, best first: the overlap of
/// the earlier and the later chip, their ids, dates and thumbnail links, the change (1 − cosine) and the ranking
/// score. bbox is required; from/to are dates or RFC 3339 instants (either may be left out: the first/last date).
/// </summary>
internal static class ChangeEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ApiOptions options)
    {
        app.MapGet("/changes", async (HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var result = await catalog.ChangesAsync(ChangeRequest.Read(new QueryReader(context.Request.Query), options), ct);
            return Results.Bytes(FeatureCollection(result, Links.Base(context, options)), CollectionJson.GeoJson);
        });
    }

    /// <summary>
    /// OGC API - Features items of the collection "changes": the /changes query with datetime (an interval a/b) for
    /// from/to; bbox defaults to the catalogue's extent. Paged by limit/offset through the ranking (next/prev links).
    /// An area with fewer than two acquisition dates is an empty collection here (a map client browses), not a 400.
    /// </summary>
    public static async Task<IResult> OgcItemsAsync(HttpContext context, IChipCatalog catalog, ApiOptions options, QueryReader query, CancellationToken ct)
    {
        var request = await ChangeRequest.ReadOgcAsync(query, options, async () => (await catalog.GetExtentAsync(ct)).Spatial);
        ChangeResult result;
        try
        {
            result = await catalog.ChangesAsync(request, ct);
        }
        catch (InsufficientImageryException)
        {
            result = new ChangeResult([], 0, [], request.Model ?? ""); // browsing an area with fewer than two dates: no changes
        }
        var baseUrl = Links.Base(context, options);
        var html = OgcFormat.IsHtml(context, query);
        var links = OgcEndpoints.PageLinks(context, options, "changes", request.Offset, request.Limit, result.Items.Count, result.PlacesCompared,
            html ? "text/html" : CollectionJson.GeoJson);
        if (html)
            return new Html().H(1, "Changes")
                .P($"{result.Items.Count} of {result.PlacesCompared} place pairs (from rank {request.Offset + 1}) between {result.Dates.Count} acquisition dates (model {result.Model}), best first.")
                .Table(["id", "score", "change", "before", "after", "before date", "after date"], result.Items.Select(c => (IReadOnlyList<string>)
                [
                    $"<a href=\"{Html.E($"{baseUrl}/ogc/collections/changes/items/{c.Before.Id}-{c.After.Id}?f=html")}\">{c.Before.Id}-{c.After.Id}</a>",
                    c.Score.ToString("0.0000", CultureInfo.InvariantCulture), c.Change.ToString("0.0000", CultureInfo.InvariantCulture),
                    $"<img src=\"{Html.E($"{baseUrl}/chips/{c.Before.Id}.png?size=96")}\" width=\"96\" height=\"96\" alt=\"chip {c.Before.Id}\">",
                    $"<img src=\"{Html.E($"{baseUrl}/chips/{c.After.Id}.png?size=96")}\" width=\"96\" height=\"96\" alt=\"chip {c.After.Id}\">",
                    Html.E(c.Before.AcquiredAt is { } tb ? FeatureJson.FormatTime(tb) : ""), Html.E(c.After.AcquiredAt is { } ta ? FeatureJson.FormatTime(ta) : ""),
                ]))
                .LinkList([.. links.Where(l => l.Rel is "next" or "prev").Select(l => (l.Href, l.Rel)),
                    (Links.WithQuery(context, options, ("f", "json")), "GeoJSON"), ($"{baseUrl}/ogc/collections/changes", "collection")])
                .Result("Changes");
        return Results.Bytes(FeatureCollection(result, baseUrl, links), CollectionJson.GeoJson);
    }

    /// <summary>
    /// One feature of "changes", id "BEFORE-AFTER" (chip ids): the pair compared over the later chip's footprint
    /// between the two acquisition dates. 404 when the chips do not exist or are not the same place.
    /// </summary>
    public static async Task<IResult> OgcItemAsync(string featureId, HttpContext context, IChipCatalog catalog, ApiOptions options, QueryReader query, CancellationToken ct)
    {
        var parts = featureId.Split('-');
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var beforeId)
                              || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var afterId))
            throw new NotFoundException($"feature '{featureId}' does not exist in changes; change ids are BEFORE-AFTER chip ids such as 12-345");
        var before = await catalog.GetChipAsync(beforeId, ct);
        var after = await catalog.GetChipAsync(afterId, ct);
        if (before?.AcquiredAt is not { } tb || after?.AcquiredAt is not { } ta || after.Footprint is null || tb >= ta)
            throw new NotFoundException($"change {featureId} does not exist: it needs an earlier chip {beforeId} and a later chip {afterId}, both with footprints and dates");
        var e = after.Footprint.EnvelopeInternal;
        ChangeResult result;
        try
        {
            result = await catalog.ChangesAsync(new ChangeQuery(BoundingBox.Create(e.MinX, e.MinY, e.MaxX, e.MaxY), new TimeRange(tb, ta),
                Limit: ChangeQuery.MaxLimit, Model: ParameterReaders.Model(query, Parameters.Model)), ct);
        }
        catch (InsufficientImageryException)
        {
            result = new ChangeResult([], 0, [], "");
        }
        var change = result.Items.FirstOrDefault(c => c.Before.Id == beforeId && c.After.Id == afterId)
                     ?? throw new NotFoundException($"chips {beforeId} and {afterId} do not show the same place (no footprint overlap)");
        var baseUrl = Links.Base(context, options);
        return Results.Bytes(JsonBody.Write(w => FeatureJson.WriteChange(w, change, baseUrl, links => CollectionJson.WriteLinks(links,
        [
            new($"{baseUrl}/ogc/collections/changes/items/{featureId}", "self", CollectionJson.GeoJson, "this feature"),
            new($"{baseUrl}/ogc/collections/changes", "collection", "application/json", "Changes"),
        ]))), CollectionJson.GeoJson);
    }

    public static byte[] FeatureCollection(ChangeResult result, string baseUrl, IReadOnlyList<Link>? links = null) => JsonBody.Write(w =>
    {
        w.WriteStartObject();
        if (links is not null) CollectionJson.WriteLinks(w, links);
        w.WriteString("type", "FeatureCollection");
        w.WriteString("model", result.Model);
        w.WriteNumber("numberMatched", result.PlacesCompared);
        w.WriteNumber("numberReturned", result.Items.Count);
        w.WriteStartArray("dates");
        foreach (var d in result.Dates) w.WriteStringValue(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        w.WriteEndArray();
        w.WriteStartArray("features");
        foreach (var c in result.Items) FeatureJson.WriteChange(w, c, baseUrl);
        w.WriteEndArray();
        w.WriteEndObject();
    });
}
