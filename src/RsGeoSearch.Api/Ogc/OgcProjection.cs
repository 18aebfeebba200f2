using System.Text.Json;
using System.Text.Json.Nodes;

namespace RsGeoSearch.Api.Ogc;

/// <summary>OGC API properties= and skipGeometry=true applied to a written GeoJSON FeatureCollection.</summary>
internal static class OgcProjection
{
    public static byte[] Apply(byte[] geoJson, ISet<string>? properties, bool skipGeometry)
    {
        if (properties is null && !skipGeometry) return geoJson;
        var root = JsonNode.Parse(geoJson)!.AsObject();
        foreach (var feature in root["features"]!.AsArray().OfType<JsonObject>())
        {
            if (skipGeometry)
            {
                feature["geometry"] = null;
                feature.Remove("bbox");
            }
            if (properties is not null && feature["properties"] is JsonObject props)
                foreach (var name in props.Select(kv => kv.Key).Where(k => !properties.Contains(k)).ToList())
                    props.Remove(name);
        }
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }
}
