using System.Globalization;
using System.Text;
using System.Xml;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Api.Wfs;

/// <summary>WFS 2.0 documents: GetCapabilities, DescribeFeatureType (XSD) and the OWS 1.1 ExceptionReport.</summary>
internal static class WfsXml
{
    public const string Wfs = "http://www.opengis.net/wfs/2.0";
    public const string Ows = "http://www.opengis.net/ows/1.1";
    public const string Gml = "http://www.opengis.net/gml/3.2";
    public const string Fes = "http://www.opengis.net/fes/2.0";
    public const string XLink = "http://www.w3.org/1999/xlink";
    public const string Xsi = "http://www.w3.org/2001/XMLSchema-instance";
    public const string Xsd = "http://www.w3.org/2001/XMLSchema";
    public const string RsGeo = "http://rsgeosearch.org/ns/rsgeo";
    public const string Gml32Format = "application/gml+xml; version=3.2";
    public const string JsonFormat = "application/json";

    public const string GetFeatureById = "urn:ogc:def:query:OGC-WFS::GetFeatureById";

    /// <summary>The WFS feature types (chips, scenes) and their properties in GML order, from the one <see cref="FeatureSchema"/>.</summary>
    public static readonly Dictionary<string, (string Title, IReadOnlyList<FeatureProperty> Properties)> FeatureTypes = new()
    {
        [FeatureSchema.ChipType.Name] = (FeatureSchema.ChipType.Title, FeatureSchema.Chips),
        [FeatureSchema.SceneType.Name] = (FeatureSchema.SceneType.Title, FeatureSchema.Scenes),
    };

    public static byte[] ListStoredQueries() => Write(w =>
    {
        w.WriteStartElement("wfs", "ListStoredQueriesResponse", Wfs);
        w.WriteAttributeString("xmlns", "rsgeo", null, RsGeo);
        w.WriteStartElement("wfs", "StoredQuery", Wfs);
        w.WriteAttributeString("id", GetFeatureById);
        w.WriteElementString("wfs", "Title", Wfs, "Get a feature by its identifier (chips.12, scenes.3)");
        foreach (var type in FeatureTypes.Keys) w.WriteElementString("wfs", "ReturnFeatureType", Wfs, "rsgeo:" + type);
        w.WriteEndElement();
        w.WriteEndElement();
    });

    public static byte[] DescribeStoredQueries() => Write(w =>
    {
        w.WriteStartElement("wfs", "DescribeStoredQueriesResponse", Wfs);
        w.WriteAttributeString("xmlns", "rsgeo", null, RsGeo);
        w.WriteAttributeString("xmlns", "xs", null, Xsd);
        w.WriteStartElement("wfs", "StoredQueryDescription", Wfs);
        w.WriteAttributeString("id", GetFeatureById);
        w.WriteElementString("wfs", "Title", Wfs, "Get a feature by its identifier");
        w.WriteElementString("wfs", "Abstract", Wfs, "Returns the one feature whose gml:id is ID (chips.12, scenes.3); an unknown id is a NotFound exception.");
        w.WriteStartElement("wfs", "Parameter", Wfs);
        w.WriteAttributeString("name", "ID");
        w.WriteAttributeString("type", "xs:string");
        w.WriteEndElement();
        w.WriteStartElement("wfs", "QueryExpressionText", Wfs);
        w.WriteAttributeString("returnFeatureTypes", string.Join(' ', FeatureTypes.Keys.Select(k => "rsgeo:" + k)));
        w.WriteAttributeString("language", "urn:ogc:def:queryLanguage:OGC-WFS::WFS_QueryExpression");
        w.WriteAttributeString("isPrivate", "true");
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    });

    public static byte[] ExceptionReport(int status, string text, string? locator, string? code = null) => Write(w =>
    {
        w.WriteStartElement("ows", "ExceptionReport", Ows);
        w.WriteAttributeString("version", "2.0.0");
        w.WriteAttributeString("xml", "lang", null, "en");
        w.WriteStartElement("ows", "Exception", Ows);
        w.WriteAttributeString("exceptionCode", code ?? status switch
        {
            400 => "InvalidParameterValue",
            404 => "NotFound",
            _ => "NoApplicableCode",
        });
        if (locator is not null) w.WriteAttributeString("locator", XmlSafe(locator));
        w.WriteElementString("ows", "ExceptionText", Ows, XmlSafe(text));
        w.WriteEndElement();
        w.WriteEndElement();
    });

    public static byte[] Capabilities(string wfsUrl, string title, CatalogExtent extent, int countDefault) => Write(w =>
    {
        w.WriteStartElement("wfs", "WFS_Capabilities", Wfs);
        w.WriteAttributeString("version", "2.0.0");
        w.WriteAttributeString("xmlns", "ows", null, Ows);
        w.WriteAttributeString("xmlns", "xlink", null, XLink);
        w.WriteAttributeString("xmlns", "fes", null, Fes);
        w.WriteAttributeString("xmlns", "gml", null, Gml);
        w.WriteAttributeString("xmlns", "rsgeo", null, RsGeo);
        w.WriteAttributeString("xmlns", "xsi", null, Xsi);
        w.WriteAttributeString("xsi", "schemaLocation", Xsi, $"{Wfs} http://schemas.opengis.net/wfs/2.0/wfs.xsd");

        w.WriteStartElement("ows", "ServiceIdentification", Ows);
        w.WriteElementString("ows", "Title", Ows, title + " WFS");
        w.WriteElementString("ows", "Abstract", Ows, "Image chips and scenes; the vendor parameter Q ranks chips by a natural-language query and adds the property score.");
        w.WriteElementString("ows", "ServiceType", Ows, "WFS");
        w.WriteElementString("ows", "ServiceTypeVersion", Ows, "2.0.0");
        w.WriteElementString("ows", "Fees", Ows, "NONE");
        w.WriteElementString("ows", "AccessConstraints", Ows, "NONE");
        w.WriteEndElement();
        w.WriteStartElement("ows", "ServiceProvider", Ows);
        w.WriteElementString("ows", "ProviderName", Ows, title);
        w.WriteEndElement();

        w.WriteStartElement("ows", "OperationsMetadata", Ows);
        foreach (var op in new[] { "GetCapabilities", "DescribeFeatureType", "ListStoredQueries", "DescribeStoredQueries", "GetFeature" })
        {
            w.WriteStartElement("ows", "Operation", Ows);
            w.WriteAttributeString("name", op);
            w.WriteStartElement("ows", "DCP", Ows);
            w.WriteStartElement("ows", "HTTP", Ows);
            w.WriteStartElement("ows", "Get", Ows);
            w.WriteAttributeString("xlink", "href", XLink, wfsUrl + "?");
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            if (op == "GetFeature")
            {
                AllowedValues(w, "outputFormat", Gml32Format, JsonFormat);
                AllowedValues(w, "resultType", "results", "hits");
            }
            if (op == "DescribeFeatureType") AllowedValues(w, "outputFormat", Gml32Format);
            w.WriteEndElement();
        }
        AllowedValues(w, "version", "2.0.0");
        foreach (var (name, value) in new[]
                 {
                     ("ImplementsBasicWFS", "FALSE"), ("ImplementsTransactionalWFS", "FALSE"), ("ImplementsLockingWFS", "FALSE"),
                     ("KVPEncoding", "TRUE"), ("XMLEncoding", "FALSE"), ("SOAPEncoding", "FALSE"), ("ImplementsInheritance", "FALSE"),
                     ("ImplementsRemoteResolve", "FALSE"), ("ImplementsResultPaging", "TRUE"), ("ImplementsStandardJoins", "FALSE"),
                     ("ImplementsSpatialJoins", "FALSE"), ("ImplementsTemporalJoins", "FALSE"), ("ImplementsFeatureVersioning", "FALSE"),
                     ("ManageStoredQueries", "FALSE"), ("CountDefault", countDefault.ToString(CultureInfo.InvariantCulture)),
                 })
            Constraint(w, name, value);
        w.WriteEndElement();

        w.WriteStartElement("wfs", "FeatureTypeList", Wfs);
        var box = extent.Spatial ?? BoundingBox.World;
        foreach (var (name, info) in FeatureTypes)
        {
            w.WriteStartElement("wfs", "FeatureType", Wfs);
            w.WriteElementString("wfs", "Name", Wfs, "rsgeo:" + name);
            w.WriteElementString("wfs", "Title", Wfs, info.Title);
            w.WriteElementString("wfs", "DefaultCRS", Wfs, WfsCrs.Default);
            w.WriteElementString("wfs", "OtherCRS", Wfs, "urn:ogc:def:crs:OGC:1.3:CRS84");
            w.WriteStartElement("wfs", "OutputFormats", Wfs);
            w.WriteElementString("wfs", "Format", Wfs, Gml32Format);
            w.WriteElementString("wfs", "Format", Wfs, JsonFormat);
            w.WriteEndElement();
            w.WriteStartElement("ows", "WGS84BoundingBox", Ows);
            w.WriteElementString("ows", "LowerCorner", Ows, Num(box.MinX) + " " + Num(box.MinY));
            w.WriteElementString("ows", "UpperCorner", Ows, Num(box.MaxX) + " " + Num(box.MaxY));
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("fes", "Filter_Capabilities", Fes);
        w.WriteStartElement("fes", "Conformance", Fes);
        foreach (var (name, value) in new[]
                 {
                     ("ImplementsQuery", "TRUE"), ("ImplementsAdHocQuery", "TRUE"), ("ImplementsFunctions", "FALSE"),
                     ("ImplementsResourceId", "TRUE"), ("ImplementsMinStandardFilter", "TRUE"), ("ImplementsStandardFilter", "FALSE"),
                     ("ImplementsMinSpatialFilter", "TRUE"), ("ImplementsSpatialFilter", "FALSE"), ("ImplementsMinTemporalFilter", "TRUE"),
                     ("ImplementsTemporalFilter", "FALSE"), ("ImplementsVersionNav", "FALSE"), ("ImplementsSorting", "TRUE"),
                     ("ImplementsExtendedOperators", "FALSE"), ("ImplementsMinimumXPath", "FALSE"), ("ImplementsSchemaElementFunc", "FALSE"),
                 })
        {
            w.WriteStartElement("fes", "Constraint", Fes);
            w.WriteAttributeString("name", name);
            w.WriteElementString("ows", "NoValues", Ows, null);
            w.WriteElementString("ows", "DefaultValue", Ows, value);
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteStartElement("fes", "Id_Capabilities", Fes);
        w.WriteStartElement("fes", "ResourceIdentifier", Fes);
        w.WriteAttributeString("name", "fes:ResourceId");
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteStartElement("fes", "Scalar_Capabilities", Fes);
        w.WriteElementString("fes", "LogicalOperators", Fes, null);
        Operators(w, "ComparisonOperators", "ComparisonOperator", WfsFilter.ComparisonOperators);
        w.WriteEndElement();
        w.WriteStartElement("fes", "Spatial_Capabilities", Fes);
        Operators(w, "GeometryOperands", "GeometryOperand", ["gml:Envelope", "gml:Polygon", "gml:Point"]);
        Operators(w, "SpatialOperators", "SpatialOperator", WfsFilter.SpatialOperators);
        w.WriteEndElement();
        w.WriteStartElement("fes", "Temporal_Capabilities", Fes);
        Operators(w, "TemporalOperands", "TemporalOperand", ["gml:TimeInstant", "gml:TimePeriod"]);
        Operators(w, "TemporalOperators", "TemporalOperator", WfsFilter.TemporalOperators);
        w.WriteEndElement();
        w.WriteEndElement();

        w.WriteEndElement();
    });

    public static byte[] Schema(IEnumerable<string> typeNames) => Write(w =>
    {
        w.WriteStartElement("xsd", "schema", Xsd);
        w.WriteAttributeString("xmlns", "gml", null, Gml);
        w.WriteAttributeString("xmlns", "rsgeo", null, RsGeo);
        w.WriteAttributeString("targetNamespace", RsGeo);
        w.WriteAttributeString("elementFormDefault", "qualified");
        w.WriteAttributeString("version", "1.0");
        w.WriteStartElement("xsd", "import", Xsd);
        w.WriteAttributeString("namespace", Gml);
        w.WriteAttributeString("schemaLocation", "http://schemas.opengis.net/gml/3.2.1/gml.xsd");
        w.WriteEndElement();
        foreach (var name in typeNames)
        {
            w.WriteStartElement("xsd", "complexType", Xsd);
            w.WriteAttributeString("name", name + "Type");
            w.WriteStartElement("xsd", "complexContent", Xsd);
            w.WriteStartElement("xsd", "extension", Xsd);
            w.WriteAttributeString("base", "gml:AbstractFeatureType");
            w.WriteStartElement("xsd", "sequence", Xsd);
            foreach (var p in FeatureTypes[name].Properties) Element(w, p.Name, p.XsdType);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteStartElement("xsd", "element", Xsd);
            w.WriteAttributeString("name", name);
            w.WriteAttributeString("type", "rsgeo:" + name + "Type");
            w.WriteAttributeString("substitutionGroup", "gml:AbstractFeature");
            w.WriteEndElement();
        }
        w.WriteEndElement();
    });

    internal static byte[] Write(Action<XmlWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            w.WriteStartDocument();
            write(w);
            w.WriteEndDocument();
        }
        return stream.ToArray();
    }

    /// <summary>
    /// The text with characters XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF) replaced by
    /// U+FFFD: error texts echo request parameters, and such a character would otherwise make the writer throw.
    /// </summary>
    internal static string XmlSafe(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (var k = 0; k < text.Length; k++)
        {
            var c = text[k];
            if (char.IsHighSurrogate(c) && k + 1 < text.Length && char.IsLowSurrogate(text[k + 1])) { sb.Append(c).Append(text[++k]); continue; }
            sb.Append(XmlConvert.IsXmlChar(c) ? c : '\uFFFD');
        }
        var safe = sb.ToString();
        return safe == text ? text : safe;
    }

    internal static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static void Element(XmlWriter w, string name, string type)
    {
        w.WriteStartElement("xsd", "element", Xsd);
        w.WriteAttributeString("name", name);
        w.WriteAttributeString("type", type);
        w.WriteAttributeString("minOccurs", "0");
        w.WriteAttributeString("maxOccurs", "1");
        w.WriteAttributeString("nillable", "true");
        w.WriteEndElement();
    }

    private static void Operators(XmlWriter w, string list, string item, IEnumerable<string> names)
    {
        w.WriteStartElement("fes", list, Fes);
        foreach (var name in names)
        {
            w.WriteStartElement("fes", item, Fes);
            w.WriteAttributeString("name", name);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void AllowedValues(XmlWriter w, string name, params string[] values)
    {
        w.WriteStartElement("ows", "Parameter", Ows);
        w.WriteAttributeString("name", name);
        w.WriteStartElement("ows", "AllowedValues", Ows);
        foreach (var v in values) w.WriteElementString("ows", "Value", Ows, v);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void Constraint(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("ows", "Constraint", Ows);
        w.WriteAttributeString("name", name);
        w.WriteElementString("ows", "NoValues", Ows, null);
        w.WriteElementString("ows", "DefaultValue", Ows, value);
        w.WriteEndElement();
    }
}
