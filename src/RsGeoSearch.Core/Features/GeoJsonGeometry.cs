using System.Text.Json;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;

namespace RsGeoSearch.Core.Features;

/// <summary>Writes a polygon as RFC 7946 GeoJSON: lon/lat, exterior ring counter-clockwise, holes clockwise.</summary>
internal static class GeoJsonGeometry
{
    public static void Write(Utf8JsonWriter w, Polygon? polygon)
    {
        if (polygon is null || polygon.IsEmpty) { w.WriteNullValue(); return; }
        w.WriteStartObject();
        w.WriteString("type", "Polygon");
        w.WriteStartArray("coordinates");
        WriteRing(w, polygon.ExteriorRing, counterClockwise: true);
        foreach (var hole in polygon.InteriorRings) WriteRing(w, hole, counterClockwise: false);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>[minx, miny, maxx, maxy] of the polygon.</summary>
    public static void WriteBbox(Utf8JsonWriter w, Polygon? polygon)
    {
        if (polygon is null || polygon.IsEmpty) return;
        var e = polygon.EnvelopeInternal;
        w.WriteStartArray("bbox");
        w.WriteNumberValue(e.MinX); w.WriteNumberValue(e.MinY); w.WriteNumberValue(e.MaxX); w.WriteNumberValue(e.MaxY);
        w.WriteEndArray();
    }

    private static void WriteRing(Utf8JsonWriter w, LineString ring, bool counterClockwise)
    {
        var coords = ring.Coordinates;
        var reverse = coords.Length >= 4 && Orientation.IsCCW(coords) != counterClockwise;
        w.WriteStartArray();
        for (var i = 0; i < coords.Length; i++)
        {
            var c = coords[reverse ? coords.Length - 1 - i : i];
            w.WriteStartArray();
            w.WriteNumberValue(Math.Round(c.X, 9));
            w.WriteNumberValue(Math.Round(c.Y, 9));
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }
}
