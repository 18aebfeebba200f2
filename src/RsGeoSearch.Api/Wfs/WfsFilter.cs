using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Wfs;

/// <summary>
/// The part of Filter Encoding 2.0 this server implements (ImplementsMinSpatialFilter, ImplementsResourceId):
/// a fes:Filter holding one BBOX with a gml:Envelope (what GDAL sends for -spat), or fes:ResourceId elements.
/// The XML is parsed with DTDs prohibited and no resolver.
/// </summary>
internal sealed record WfsFilter(BoundingBox? Bbox, IReadOnlyList<string> ResourceIds)
{
    public static WfsFilter Parse(string xml, string defaultCrs)
    {
        XElement root;
        try
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 1_000_000 };
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            root = XElement.Load(reader);
        }
        catch (XmlException e)
        {
            throw new OwsException("InvalidParameterValue", "FILTER", $"FILTER is not well-formed XML: {e.Message}");
        }
        if (root.Name.LocalName != "Filter") throw Unsupported($"the root element is {root.Name.LocalName}, not Filter");
        var children = root.Elements().ToList();
        if (children.Count > 0 && children.All(c => c.Name.LocalName is "ResourceId" or "FeatureId" or "GmlObjectId"))
            return new WfsFilter(null, children.Select(c => (string?)c.Attribute("rid") ?? (string?)c.Attribute("fid") ?? "").ToList());
        if (children.Count != 1 || children[0].Name.LocalName != "BBOX")
            throw Unsupported("only one BBOX (with a gml:Envelope) or ResourceId elements are supported");
        var envelope = children[0].Elements().FirstOrDefault(e => e.Name.LocalName == "Envelope")
            ?? throw Unsupported("BBOX needs a gml:Envelope");
        var crs = (string?)envelope.Attribute("srsName") ?? defaultCrs;
        var lower = Corner(envelope, "lowerCorner");
        var upper = Corner(envelope, "upperCorner");
        return new WfsFilter(WfsBbox.FromCorners(lower.A, lower.B, upper.A, upper.B, WfsCrs.IsLatLon(crs, "FILTER"), "FILTER"), []);
    }

    private static (double A, double B) Corner(XElement envelope, string name)
    {
        var text = envelope.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value
            ?? throw Unsupported($"the Envelope has no {name}");
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b))
            throw new OwsException("InvalidParameterValue", "FILTER", $"{name} '{text}' must be two numbers");
        return (a, b);
    }

    private static OwsException Unsupported(string why) =>
        new("InvalidParameterValue", "FILTER", $"this FILTER is not supported: {why}");
}
