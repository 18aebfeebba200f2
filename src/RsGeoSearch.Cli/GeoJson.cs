using System.Text;
using System.Text.Json;
using RsGeoSearch.Api.Features;
using RsGeoSearch.Core;

namespace RsGeoSearch.Cli;

/// <summary>Search results as a GeoJSON FeatureCollection, with the same feature schema as the HTTP API.</summary>
internal static class GeoJson
{
    public static string FeatureCollection(ChipPage page, string baseUrl = "")
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("type", "FeatureCollection");
            w.WriteNumber("numberMatched", page.NumberMatched);
            w.WriteNumber("numberReturned", page.Items.Count);
            w.WriteStartArray("features");
            foreach (var item in page.Items) FeatureJson.WriteChip(w, item, baseUrl, withScore: true);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
