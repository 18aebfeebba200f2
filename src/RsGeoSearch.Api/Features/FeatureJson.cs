using System.Globalization;
using System.Text.Json;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Features;

/// <summary>
/// GeoJSON features for chips and scenes, shared by /search, /scenes, OGC API Features and WFS (application/json).
/// The id is the numeric database id; every feature carries the same property names (null where unknown), so
/// OGR and QGIS derive one stable schema.
/// </summary>
public static class FeatureJson
{
    public static void WriteChip(Utf8JsonWriter w, ScoredChip hit, string baseUrl, bool withScore)
    {
        var c = hit.Chip;
        w.WriteStartObject();
        w.WriteString("type", "Feature");
        w.WriteNumber("id", c.Id);
        GeoJsonGeometry.WriteBbox(w, c.Footprint);
        w.WritePropertyName("geometry");
        GeoJsonGeometry.Write(w, c.Footprint);
        w.WriteStartObject("properties");
        if (withScore)
        {
            if (hit.Score is { } s) w.WriteNumber("score", Math.Round(s, 6)); else w.WriteNull("score");
            if (hit.Relevance is { } r) w.WriteNumber("relevance", Math.Round(r, 4));
        }
        WriteTime(w, "acquired", c.AcquiredAt);
        w.WriteNumber("scene_id", c.SceneId);
        w.WriteString("scene", SceneName(c.SceneUri));
        w.WriteNumber("level", c.Level);
        w.WriteNumber("col", c.Col);
        w.WriteNumber("row", c.Row);
        w.WriteString("window", c.Window.ToString());
        w.WritePropertyName("nodata_fraction"); // always with a decimal point, so OGR types it Real even when every value is 0
        w.WriteRawValue(Math.Round(c.NodataFraction, 4).ToString("0.0###", CultureInfo.InvariantCulture));
        w.WriteString("thumbnail", $"{baseUrl}/chips/{c.Id}.png");
        if (hit.OtherDates is { } others) WriteOtherDates(w, others);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>group=place: the place's other acquisitions, oldest first, with their scores.</summary>
    private static void WriteOtherDates(Utf8JsonWriter w, IReadOnlyList<PlaceDate> others)
    {
        w.WriteNumber("dates", others.Count + 1);
        w.WriteStartArray("other_dates");
        foreach (var o in others)
        {
            w.WriteStartObject();
            w.WriteNumber("chip_id", o.ChipId);
            WriteTime(w, "acquired", o.AcquiredAt);
            w.WriteNumber("score", Math.Round(o.Score, 6));
            if (o.Relevance is { } r) w.WriteNumber("relevance", Math.Round(r, 4));
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteScene(Utf8JsonWriter w, SceneRecord s)
    {
        w.WriteStartObject();
        w.WriteString("type", "Feature");
        w.WriteNumber("id", s.Id);
        GeoJsonGeometry.WriteBbox(w, s.Footprint);
        w.WritePropertyName("geometry");
        GeoJsonGeometry.Write(w, s.Footprint);
        w.WriteStartObject("properties");
        w.WriteString("name", SceneName(s.Uri));
        if (SensorName.Guess(s.Uri) is { } sensor) w.WriteString("sensor", sensor); else w.WriteNull("sensor");
        WriteTime(w, "acquired", s.AcquiredAt);
        w.WriteString("acquired_source", s.AcquiredSource.ToString().ToLowerInvariant());
        if (s.Crs is null) w.WriteNull("crs"); else w.WriteString("crs", s.Crs);
        w.WriteNumber("width", s.Width);
        w.WriteNumber("height", s.Height);
        w.WriteNumber("bands", s.Bands);
        w.WriteNumber("chip_count", s.ChipCount);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The file name of a scene URI: clients see which raster a chip came from, never the server's folders.</summary>
    public static string SceneName(string uri)
    {
        var trimmed = uri.TrimEnd('/', '\\');
        var cut = trimmed.LastIndexOfAny(['/', '\\']);
        return cut >= 0 ? trimmed[(cut + 1)..] : trimmed;
    }

    public static string FormatTime(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? t)
    {
        if (t is null) w.WriteNull(name); else w.WriteString(name, FormatTime(t.Value));
    }

    /// <summary>One change as a feature; every feature has the same properties (null where not asked for), for one OGR/QGIS schema.</summary>
    public static void WriteChange(Utf8JsonWriter w, ChangeRecord c, string baseUrl) => WriteChange(w, c, baseUrl, null);

    internal static void WriteChange(Utf8JsonWriter w, ChangeRecord c, string baseUrl, IReadOnlyList<Link>? links)
    {
        w.WriteStartObject();
        w.WriteString("type", "Feature");
        w.WriteString("id", $"{c.Before.Id}-{c.After.Id}");
        GeoJsonGeometry.WriteBbox(w, c.Footprint);
        w.WritePropertyName("geometry");
        GeoJsonGeometry.Write(w, c.Footprint);
        w.WriteStartObject("properties");
        w.WriteNumber("score", Math.Round(c.Score, 6));
        w.WriteNumber("change", Math.Round(c.Change, 6));
        if (c.NormalisedChange is { } n) w.WriteNumber("normalised_change", Math.Round(n, 6)); else w.WriteNull("normalised_change");
        if (c.TextScore is { } t) w.WriteNumber("text_score", Math.Round(t, 6)); else w.WriteNull("text_score");
        w.WriteNumber("iou", Math.Round(c.Iou, 4));
        w.WriteNumber("before_chip", c.Before.Id);
        w.WriteNumber("after_chip", c.After.Id);
        WriteTime(w, "before_acquired", c.Before.AcquiredAt);
        WriteTime(w, "after_acquired", c.After.AcquiredAt);
        w.WriteString("before_scene", SceneName(c.Before.SceneUri));
        w.WriteString("after_scene", SceneName(c.After.SceneUri));
        w.WriteString("before_thumbnail", $"{baseUrl}/chips/{c.Before.Id}.png");
        w.WriteString("after_thumbnail", $"{baseUrl}/chips/{c.After.Id}.png");
        w.WriteEndObject();
        if (links is not null) CollectionJson.WriteLinks(w, links);
        w.WriteEndObject();
    }
}
