using System.Globalization;
using System.Xml;
using NetTopologySuite.Geometries;
using RsGeoSearch.Api.Features;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Api.Wfs;

/// <summary>GetFeature responses in GML 3.2: a wfs:FeatureCollection of rsgeo:chips or rsgeo:scenes, coordinates in the requested axis order.</summary>
internal static class GmlWriter
{
    public static byte[] Hits(long matched) => WfsXml.Write(w =>
    {
        Start(w, null, matched, 0);
        w.WriteEndElement();
    });

    public static byte[] Chips(IReadOnlyList<ScoredChip> chips, long matched, string srsName, bool latLon, string baseUrl, string schemaUrl, Paging? paging = null) =>
        Features(FeatureSchema.ChipType, chips, matched, srsName, latLon, baseUrl, schemaUrl, paging);

    public static byte[] Scenes(IReadOnlyList<SceneRecord> scenes, long matched, string srsName, bool latLon, string schemaUrl, Paging? paging = null) =>
        Features(FeatureSchema.SceneType, scenes, matched, srsName, latLon, "", schemaUrl, paging);

    /// <summary>rsgeo:{type} members: the geometry, then every property of the schema that GML carries and that has a value.</summary>
    private static byte[] Features<T>(FeatureType<T> type, IReadOnlyList<T> features, long matched, string srsName, bool latLon, string baseUrl, string schemaUrl, Paging? paging) => WfsXml.Write(w =>
    {
        Start(w, schemaUrl, matched, features.Count, paging);
        foreach (var feature in features)
        {
            Member(w, type.Name, type.Id(feature), type.Geometry(feature), srsName, latLon);
            foreach (var p in type.Properties)
                if (!p.JsonOnly && p.Type != PropertyType.Geometry)
                    Value(w, p.Name, Text(p.Value(feature, baseUrl)));
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();
    });

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        DateTimeOffset t => FeatureJson.FormatTime(t),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>The next and previous pages of a paged response (WFS 2.0 ImplementsResultPaging), null where there is none.</summary>
    public sealed record Paging(string? Next, string? Previous);

    private static void Start(XmlWriter w, string? schemaUrl, long matched, int returned, Paging? paging = null)
    {
        w.WriteStartElement("wfs", "FeatureCollection", WfsXml.Wfs);
        w.WriteAttributeString("xmlns", "gml", null, WfsXml.Gml);
        w.WriteAttributeString("xmlns", "rsgeo", null, WfsXml.RsGeo);
        w.WriteAttributeString("xmlns", "xsi", null, WfsXml.Xsi);
        var locations = $"{WfsXml.Wfs} http://schemas.opengis.net/wfs/2.0/wfs.xsd {WfsXml.Gml} http://schemas.opengis.net/gml/3.2.1/gml.xsd";
        if (schemaUrl is not null) locations = $"{WfsXml.RsGeo} {schemaUrl} " + locations;
        w.WriteAttributeString("xsi", "schemaLocation", WfsXml.Xsi, locations);
        w.WriteAttributeString("timeStamp", FeatureJson.FormatTime(DateTimeOffset.UtcNow));
        w.WriteAttributeString("numberMatched", matched.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("numberReturned", returned.ToString(CultureInfo.InvariantCulture));
        if (paging?.Next is { } next) w.WriteAttributeString("next", next);
        if (paging?.Previous is { } previous) w.WriteAttributeString("previous", previous);
    }

    /// <summary>
    /// Keeps only the properties in <paramref name="names"/> (PROPERTYNAME) in every feature; the geometry stays
    /// only when listed. With <paramref name="byIdOnly"/> the one feature is returned alone (GetFeatureById).
    /// </summary>
    public static byte[] Project(byte[] gml, ISet<string>? names, bool byIdOnly)
    {
        if (names is null && !byIdOnly) return gml;
        var doc = System.Xml.Linq.XDocument.Load(new MemoryStream(gml));
        System.Xml.Linq.XNamespace rsgeo = WfsXml.RsGeo;
        var features = doc.Root!.Elements(System.Xml.Linq.XName.Get("member", WfsXml.Wfs)).SelectMany(m => m.Elements()).ToList();
        if (names is not null)
            foreach (var property in features.SelectMany(f => f.Elements()).Where(p => p.Name.Namespace == rsgeo && !names.Contains(p.Name.LocalName)).ToList())
                property.Remove();
        var result = byIdOnly ? new System.Xml.Linq.XDocument(new System.Xml.Linq.XDeclaration("1.0", "utf-8", null), features.Single()) : doc;
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new System.Text.UTF8Encoding(false) })) result.Save(writer);
        return stream.ToArray();
    }

    /// <summary>Opens wfs:member and the feature element and writes the geometry; the caller writes properties and closes both.</summary>
    private static void Member(XmlWriter w, string type, object id, Polygon? footprint, string srsName, bool latLon)
    {
        w.WriteStartElement("wfs", "member", WfsXml.Wfs);
        w.WriteStartElement("rsgeo", type, WfsXml.RsGeo);
        w.WriteAttributeString("gml", "id", WfsXml.Gml, $"{type}.{id}");
        if (footprint is null || footprint.IsEmpty) return;
        w.WriteStartElement("rsgeo", "geometry", WfsXml.RsGeo);
        w.WriteStartElement("gml", "Polygon", WfsXml.Gml);
        w.WriteAttributeString("gml", "id", WfsXml.Gml, $"{type}.{id}.geometry");
        w.WriteAttributeString("srsName", srsName);
        w.WriteAttributeString("srsDimension", "2");
        Ring(w, "exterior", footprint.ExteriorRing, latLon);
        foreach (var hole in footprint.InteriorRings) Ring(w, "interior", hole, latLon);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void Ring(XmlWriter w, string role, LineString ring, bool latLon)
    {
        w.WriteStartElement("gml", role, WfsXml.Gml);
        w.WriteStartElement("gml", "LinearRing", WfsXml.Gml);
        var text = string.Join(' ', ring.Coordinates.Select(c => latLon
            ? $"{WfsXml.Num(Math.Round(c.Y, 9))} {WfsXml.Num(Math.Round(c.X, 9))}"
            : $"{WfsXml.Num(Math.Round(c.X, 9))} {WfsXml.Num(Math.Round(c.Y, 9))}"));
        w.WriteElementString("gml", "posList", WfsXml.Gml, text);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void Value(XmlWriter w, string name, string? value)
    {
        if (value is null) return;
        w.WriteElementString("rsgeo", name, WfsXml.RsGeo, WfsXml.XmlSafe(value)); // file names may hold control characters
    }
}
