using System.Globalization;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Core.Features;

/// <summary>
/// GeoJSON features of the types declared in <see cref="FeatureSchema"/>, shared by the HTTP API (/search, /scenes,
/// /changes, OGC API - Features, WFS application/json) and the CLI (--format geojson). Every feature carries the
/// same property names (null where unknown), so OGR and QGIS derive one stable schema.
/// </summary>
public static class FeatureJson
{
    /// <summary>One feature: type, id, bbox, geometry, the properties in schema order, then <paramref name="members"/> (links).</summary>
    /// <param name="ranked">Whether ranked-only properties (score, relevance) are written.</param>
    public static void Write<T>(Utf8JsonWriter w, FeatureType<T> type, T feature, string baseUrl, bool ranked, Action<Utf8JsonWriter>? members = null)
    {
        w.WriteStartObject();
        w.WriteString("type", "Feature");
        var id = type.Id(feature);
        if (id is long number) w.WriteNumber("id", number); else w.WriteString("id", id.ToString());
        var geometry = type.Geometry(feature);
        GeoJsonGeometry.WriteBbox(w, geometry);
        w.WritePropertyName("geometry");
        GeoJsonGeometry.Write(w, geometry);
        w.WriteStartObject("properties");
        foreach (var p in type.Properties)
        {
            if (p.Type == PropertyType.Geometry || p.RankedOnly && !ranked) continue;
            var value = p.Value(feature, baseUrl);
            if (value is null && p.OmitWhenNull) continue;
            w.WritePropertyName(p.Name);
            WriteValue(w, p, value);
        }
        type.JsonExtras?.Invoke(w, feature);
        w.WriteEndObject();
        members?.Invoke(w);
        w.WriteEndObject();
    }

    /// <summary>A FeatureCollection with numberMatched and numberReturned (the CLI's --format geojson).</summary>
    public static string Collection<T>(FeatureType<T> type, IReadOnlyList<T> features, long numberMatched, string baseUrl, bool ranked)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("type", "FeatureCollection");
            w.WriteNumber("numberMatched", numberMatched);
            w.WriteNumber("numberReturned", features.Count);
            w.WriteStartArray("features");
            foreach (var f in features) Write(w, type, f, baseUrl, ranked);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static void WriteChip(Utf8JsonWriter w, ScoredChip hit, string baseUrl, bool withScore) =>
        Write(w, FeatureSchema.ChipType, hit, baseUrl, withScore);

    public static void WriteScene(Utf8JsonWriter w, SceneRecord s) => Write(w, FeatureSchema.SceneType, s, "", ranked: false);

    /// <summary>One change as a feature, then <paramref name="members"/> (links).</summary>
    public static void WriteChange(Utf8JsonWriter w, ChangeRecord c, string baseUrl, Action<Utf8JsonWriter>? members = null) =>
        Write(w, FeatureSchema.ChangeType, c, baseUrl, ranked: true, members);

    /// <summary>group=place: the place's other acquisitions, oldest first, with their scores.</summary>
    internal static void WriteOtherDates(Utf8JsonWriter w, ScoredChip hit)
    {
        if (hit.OtherDates is not { } others) return;
        w.WriteStartArray("other_dates");
        foreach (var o in others)
        {
            w.WriteStartObject();
            w.WriteNumber("chip_id", o.ChipId);
            if (o.AcquiredAt is { } t) w.WriteString("acquired", FormatTime(t)); else w.WriteNull("acquired");
            w.WriteNumber("score", Math.Round(o.Score, 6));
            if (o.Relevance is { } r) w.WriteNumber("relevance", Math.Round(r, 4));
            w.WriteEndObject();
        }
        w.WriteEndArray();
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

    private static readonly string[] DecimalFormats = [.. Enumerable.Range(0, 16).Select(d => d <= 1 ? "0.0" : "0.0" + new string('#', d - 1))];

    private static void WriteValue(Utf8JsonWriter w, FeatureProperty p, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case DateTimeOffset t: w.WriteStringValue(FormatTime(t)); break;
            // Numbers always with a decimal point, so OGR types the field Real even when every value is whole (0, 1).
            case double d: w.WriteRawValue(Math.Round(d, p.Digits).ToString(DecimalFormats[p.Digits], CultureInfo.InvariantCulture)); break;
            case long l: w.WriteNumberValue(l); break;
            case int i: w.WriteNumberValue(i); break;
            case Polygon g: GeoJsonGeometry.Write(w, g); break;
            default: throw new InvalidOperationException($"feature property {p.Name}: no GeoJSON form for {value.GetType().Name}");
        }
    }
}
