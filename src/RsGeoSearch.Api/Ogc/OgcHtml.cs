using System.Globalization;
using Microsoft.AspNetCore.Http;
using RsGeoSearch.Api.Features;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Ogc;

/// <summary>HTML renderings of OGC items pages and single features.</summary>
internal static class OgcHtml
{
    public static IResult Chips(string title, ChipPage page, string baseUrl, IReadOnlyList<Link> links, bool withScore)
    {
        var header = new List<string> { "id" };
        if (withScore) header.Add("score");
        header.AddRange(["thumbnail", "acquired", "scene", "level", "window", "footprint bbox"]);
        return new Html().H(1, title)
            .P($"{page.Items.Count} of {page.NumberMatched} chips (model {page.Model}).")
            .Raw(page.Search?.Message is { } message ? $"<p>{Html.E(message)}</p>\n" : "")
            .Table(header, page.Items.Select(hit =>
            {
                var c = hit.Chip;
                var row = new List<string> { $"<a href=\"{Html.E($"{baseUrl}/ogc/collections/chips/items/{c.Id}?f=html")}\">{c.Id}</a>" };
                if (withScore) row.Add(hit.Score?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "");
                row.Add($"<img src=\"{Html.E($"{baseUrl}/chips/{c.Id}.png?size=96")}\" width=\"96\" height=\"96\" alt=\"chip {c.Id}\">");
                row.Add(Html.E(c.AcquiredAt is { } t ? FeatureJson.FormatTime(t) : ""));
                row.Add(Html.E(FeatureJson.SceneName(c.SceneUri)));
                row.Add(c.Level.ToString(CultureInfo.InvariantCulture));
                row.Add(Html.E(c.Window.ToString()));
                row.Add(Html.E(Envelope(c.Footprint)));
                return (IReadOnlyList<string>)row;
            }))
            .LinkList(Navigation(links))
            .Result(title);
    }

    public static IResult Scenes(string title, IReadOnlyList<SceneRecord> scenes, long matched, IReadOnlyList<Link> links) =>
        new Html().H(1, title)
            .P($"{scenes.Count} of {matched} scenes.")
            .Table(["id", "name", "acquired", "crs", "size", "bands", "chips", "footprint bbox"], scenes.Select(s => (IReadOnlyList<string>)
            [
                s.Id.ToString(CultureInfo.InvariantCulture), Html.E(FeatureJson.SceneName(s.Uri)),
                Html.E(s.AcquiredAt is { } t ? FeatureJson.FormatTime(t) : ""), Html.E(s.Crs),
                $"{s.Width}×{s.Height}", s.Bands.ToString(CultureInfo.InvariantCulture), s.ChipCount.ToString(CultureInfo.InvariantCulture),
                Html.E(Envelope(s.Footprint)),
            ]))
            .LinkList(Navigation(links))
            .Result(title);

    public static IResult Chip(ChipRecord c, string baseUrl) =>
        new Html().H(1, $"Chip {c.Id}")
            .Raw($"<p><img src=\"{Html.E($"{baseUrl}/chips/{c.Id}.png")}\" alt=\"chip {c.Id}\"></p>\n")
            .Table(["property", "value"],
            [
                ["acquired", Html.E(c.AcquiredAt is { } t ? FeatureJson.FormatTime(t) : "")],
                ["scene", $"<a href=\"{Html.E($"{baseUrl}/ogc/collections/scenes/items/{c.SceneId}?f=html")}\">{Html.E(FeatureJson.SceneName(c.SceneUri))}</a>"],
                ["level / col / row", $"{c.Level} / {c.Col} / {c.Row}"],
                ["window", Html.E(c.Window.ToString())],
                ["footprint bbox", Html.E(Envelope(c.Footprint))],
            ])
            .LinkList([($"{baseUrl}/ogc/collections/chips/items/{c.Id}?f=json", "GeoJSON"), ($"{baseUrl}/chips/{c.Id}/similar", "similar chips (GeoJSON)")])
            .Result($"Chip {c.Id}");

    private static IEnumerable<(string, string)> Navigation(IReadOnlyList<Link> links) =>
        links.Where(l => l.Rel is "next" or "prev" or "alternate" or "collection").Select(l => (l.Href, l.Title ?? l.Rel));

    private static string Envelope(NetTopologySuite.Geometries.Polygon? p)
    {
        if (p is null) return "";
        var e = p.EnvelopeInternal;
        return string.Create(CultureInfo.InvariantCulture, $"{e.MinX:0.#####},{e.MinY:0.#####},{e.MaxX:0.#####},{e.MaxY:0.#####}");
    }
}
