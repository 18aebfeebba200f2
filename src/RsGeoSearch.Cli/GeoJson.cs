using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using RsGeoSearch.Core;

namespace RsGeoSearch.Cli;

/// <summary>GeoJSON (RFC 7946) output of search results for the command line.</summary>
internal static class GeoJson
{
    public static string FeatureCollection(ChipPage page)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("type", "FeatureCollection");
            w.WriteNumber("numberMatched", page.NumberMatched);
            w.WriteNumber("numberReturned", page.Items.Count);
            w.WriteStartArray("features");
            foreach (var item in page.Items)
            {
                var chip = item.Chip;
                w.WriteStartObject();
                w.WriteString("type", "Feature");
                w.WriteNumber("id", chip.Id);
                w.WritePropertyName("geometry");
                WritePolygon(w, chip.Footprint);
                w.WriteStartObject("properties");
                if (item.Score is { } s) w.WriteNumber("score", s);
                if (chip.AcquiredAt is { } t) w.WriteString("acquired", t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"));
                w.WriteNumber("scene_id", chip.SceneId);
                w.WriteString("scene", chip.SceneUri);
                w.WriteNumber("level", chip.Level);
                w.WriteString("window", chip.Window.ToString());
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WritePolygon(Utf8JsonWriter w, Polygon? polygon)
    {
        if (polygon is null)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartObject();
        w.WriteString("type", "Polygon");
        w.WriteStartArray("coordinates");
        foreach (var ring in new[] { polygon.ExteriorRing }.Concat(polygon.InteriorRings))
        {
            w.WriteStartArray();
            foreach (var c in ring.Coordinates)
            {
                w.WriteStartArray();
                w.WriteNumberValue(c.X);
                w.WriteNumberValue(c.Y);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
