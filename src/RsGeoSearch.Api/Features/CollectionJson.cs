using System.Text.Json;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Features;

/// <summary>GeoJSON FeatureCollections with OGC paging members (numberMatched, numberReturned, timeStamp, links).</summary>
internal static class CollectionJson
{
    public const string GeoJson = "application/geo+json";

    public static byte[] Chips(ChipPage page, string baseUrl, IReadOnlyList<Link> links, bool withScore) =>
        JsonBody.Write(w =>
        {
            Start(w, page.Items.Count, page.NumberMatched, links);
            w.WriteString("model", page.Model);
            if (page.Search is { } info) WriteSearchInfo(w, info);
            w.WriteStartArray("features");
            foreach (var hit in page.Items) FeatureJson.WriteChip(w, hit, baseUrl, withScore);
            w.WriteEndArray();
            w.WriteEndObject();
        });

    /// <summary>"search": how the ranked answer was found (plan, recall when approximate), its threshold and message.</summary>
    public static void WriteSearchInfo(Utf8JsonWriter w, SearchInfo info)
    {
        w.WriteStartObject("search");
        w.WriteString("plan", info.Plan);
        if (info.Recall is { } recall) w.WriteNumber("recall", recall);
        if (info.RecallClass is { } cls) w.WriteString("recall_filter_class", cls);
        if (info.MinRelevance is { } min) w.WriteNumber("min_relevance", min);
        w.WriteString("group", info.Grouping);
        if (info.Message is { } message) w.WriteString("message", message);
        if (info.ClosestScore is { } score) w.WriteNumber("closest_score", Math.Round(score, 6));
        if (info.ClosestRelevance is { } rel) w.WriteNumber("closest_relevance", Math.Round(rel, 4));
        w.WriteEndObject();
    }

    public static byte[] Scenes(IReadOnlyList<SceneRecord> scenes, long numberMatched, IReadOnlyList<Link> links) =>
        JsonBody.Write(w =>
        {
            Start(w, scenes.Count, numberMatched, links);
            w.WriteStartArray("features");
            foreach (var s in scenes) FeatureJson.WriteScene(w, s);
            w.WriteEndArray();
            w.WriteEndObject();
        });

    /// <summary>self, and next/prev when more pages exist.</summary>
    public static List<Link> PageLinks(Microsoft.AspNetCore.Http.HttpContext context, ApiOptions options, int offset, int limit, int returned, long matched, string type = GeoJson)
    {
        var links = new List<Link> { new(Http.Links.WithQuery(context, options), "self", type, "this page") };
        if (offset + returned < matched && returned > 0)
            links.Add(new(Http.Links.WithQuery(context, options, ("offset", (offset + returned).ToString(System.Globalization.CultureInfo.InvariantCulture))), "next", type, "next page"));
        if (offset > 0)
            links.Add(new(Http.Links.WithQuery(context, options, ("offset", Math.Max(0, offset - limit) == 0 ? null : Math.Max(0, offset - limit).ToString(System.Globalization.CultureInfo.InvariantCulture))), "prev", type, "previous page"));
        return links;
    }

    public static void WriteLinks(Utf8JsonWriter w, IEnumerable<Link> links)
    {
        w.WriteStartArray("links");
        foreach (var l in links)
        {
            w.WriteStartObject();
            w.WriteString("href", l.Href);
            w.WriteString("rel", l.Rel);
            w.WriteString("type", l.Type);
            if (l.Title is not null) w.WriteString("title", l.Title);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void Start(Utf8JsonWriter w, int returned, long matched, IReadOnlyList<Link> links)
    {
        w.WriteStartObject();
        w.WriteString("type", "FeatureCollection");
        w.WriteString("timeStamp", FeatureJson.FormatTime(DateTimeOffset.UtcNow));
        w.WriteNumber("numberMatched", matched);
        w.WriteNumber("numberReturned", returned);
        WriteLinks(w, links);
    }
}
