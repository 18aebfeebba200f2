using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using NetTopologySuite.Geometries;
using RsGeoSearch.Core.Filtering;
using RsGeoSearch.Api.Ogc;

namespace RsGeoSearch.Api.Wfs;

/// <summary>
/// Filter Encoding 2.0 (KVP FILTER) to a <see cref="FilterNode"/>, or the ids of a filter made of ResourceId
/// elements. Supported (and declared in the capabilities' Filter_Capabilities, <see cref="ComparisonOperators"/>
/// etc.): PropertyIsEqualTo/NotEqualTo/LessThan/GreaterThan/LessThanOrEqualTo/GreaterThanOrEqualTo/Between/Like/Null,
/// And/Or/Not, BBOX/Intersects/Within/Contains/Disjoint on the footprint (gml:Envelope, Polygon, Point),
/// During/After/Before/TEquals on acquired. The XML is parsed with DTDs prohibited and no resolver, so an entity
/// is an error. Every failure is an OWS exception with locator FILTER.
/// </summary>
internal sealed record WfsFilter(FilterNode? Where, IReadOnlyList<string> ResourceIds)
{
    public static readonly string[] ComparisonOperators =
        ["PropertyIsEqualTo", "PropertyIsNotEqualTo", "PropertyIsLessThan", "PropertyIsGreaterThan", "PropertyIsLessThanOrEqualTo",
         "PropertyIsGreaterThanOrEqualTo", "PropertyIsLike", "PropertyIsNull", "PropertyIsBetween"];
    public static readonly string[] SpatialOperators = ["BBOX", "Intersects", "Within", "Contains", "Disjoint"];
    public static readonly string[] TemporalOperators = ["During", "After", "Before", "TEquals"];

    public static WfsFilter Parse(string xml, IReadOnlyList<FeatureProperty> schema, bool ranked, string defaultCrs)
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
            throw new OwsException("InvalidParameterValue", "FILTER", $"FILTER is not well-formed XML (DTDs and entities are refused): {e.Message}");
        }
        if (root.Name.LocalName != "Filter") throw Invalid($"the root element is {root.Name.LocalName}, not fes:Filter");
        var children = root.Elements().ToList();
        if (children.Count > 0 && children.All(c => c.Name.LocalName is "ResourceId" or "FeatureId" or "GmlObjectId"))
            return new WfsFilter(null, children.Select(c => (string?)c.Attribute("rid") ?? (string?)c.Attribute("fid") ?? "").ToList());
        if (children.Count != 1) throw Invalid("fes:Filter must hold one operator (combine several with fes:And)");
        try
        {
            return new WfsFilter(new Reader(schema, ranked, defaultCrs).Node(children[0]), []);
        }
        catch (FilterException e)
        {
            throw new OwsException("InvalidParameterValue", "FILTER", e.Message);
        }
    }

    private static OwsException Invalid(string why) => new("InvalidParameterValue", "FILTER", $"FILTER: {why}");

    private sealed class Reader(IReadOnlyList<FeatureProperty> schema, bool ranked, string defaultCrs)
    {
        public FilterNode Node(XElement e)
        {
            var name = e.Name.LocalName;
            switch (name)
            {
                case "And": return new AndNode(Operands(e, 2).Select(Node).ToList());
                case "Or": return new OrNode(Operands(e, 2).Select(Node).ToList());
                case "Not": return new NotNode(Node(Operands(e, 1).Single()));
                case "PropertyIsNull": return new IsNullNode(Property(e));
                case "PropertyIsLike": return Like(e);
                case "PropertyIsBetween":
                {
                    var p = Property(e);
                    return new BetweenNode(p, Value(p, Boundary(e, "LowerBoundary")), Value(p, Boundary(e, "UpperBoundary")));
                }
                case "BBOX" or "Intersects" or "Within" or "Contains" or "Disjoint": return Spatial(e);
                case "During" or "After" or "Before" or "TEquals": return Temporal(e);
            }
            if (name.StartsWith("PropertyIs", StringComparison.Ordinal))
            {
                var op = name switch
                {
                    "PropertyIsEqualTo" => Comparison.Equal,
                    "PropertyIsNotEqualTo" => Comparison.NotEqual,
                    "PropertyIsLessThan" => Comparison.Less,
                    "PropertyIsGreaterThan" => Comparison.Greater,
                    "PropertyIsLessThanOrEqualTo" => Comparison.LessOrEqual,
                    "PropertyIsGreaterThanOrEqualTo" => Comparison.GreaterOrEqual,
                    _ => throw Unsupported(name),
                };
                var p = Property(e);
                var literal = e.Elements().FirstOrDefault(c => c.Name.LocalName == "Literal") ?? throw new FilterException($"{name} needs a fes:Literal");
                if ((string?)e.Attribute("matchCase") == "false" && p.Type == PropertyType.String && op == Comparison.Equal)
                    return new LikeNode(p, EscapeLike(literal.Value), IgnoreCase: true);
                return new CompareNode(p, op, Value(p, literal));
            }
            throw Unsupported(name);
        }

        private static FilterException Unsupported(string name) => new(
            $"fes:{name} is not supported; operators: And, Or, Not, {string.Join(", ", ComparisonOperators)}, {string.Join(", ", SpatialOperators)}, {string.Join(", ", TemporalOperators)}");

        private static List<XElement> Operands(XElement e, int min)
        {
            var list = e.Elements().ToList();
            if (list.Count < min) throw new FilterException($"fes:{e.Name.LocalName} needs {(min == 1 ? "one operand" : $"at least {min} operands")}");
            if (min == 1 && list.Count != 1) throw new FilterException($"fes:{e.Name.LocalName} takes one operand");
            return list;
        }

        private FeatureProperty Property(XElement e)
        {
            var reference = e.Elements().FirstOrDefault(c => c.Name.LocalName is "ValueReference" or "PropertyName");
            if (reference is null)
            {
                // BBOX may leave out the geometry property.
                if (e.Name.LocalName == "BBOX") return FeatureSchema.Queryable(schema, FeatureSchema.Geometry, 0, ranked);
                throw new FilterException($"fes:{e.Name.LocalName} needs a fes:ValueReference");
            }
            var path = reference.Value.Trim();
            var name = path[(path.LastIndexOf('/') + 1)..];
            name = name[(name.IndexOf(':') + 1)..];
            return FeatureSchema.Queryable(schema, name, 0, ranked);
        }

        private static object Value(FeatureProperty p, XElement literal) => FilterValues.Coerce(p, literal.Value.Trim(), 0);

        private static XElement Boundary(XElement e, string name) =>
            e.Elements().FirstOrDefault(c => c.Name.LocalName == name)?.Elements().FirstOrDefault(c => c.Name.LocalName == "Literal")
            ?? throw new FilterException($"fes:PropertyIsBetween needs fes:{name} with a fes:Literal");

        private FilterNode Like(XElement e)
        {
            var p = Property(e);
            if (p.Type != PropertyType.String) throw new FilterException($"PropertyIsLike needs a text property; '{p.Name}' is not one");
            var wild = (string?)e.Attribute("wildCard") ?? "*";
            var single = (string?)e.Attribute("singleChar") ?? (string?)e.Attribute("singleChar") ?? ".";
            var escape = (string?)e.Attribute("escapeChar") ?? (string?)e.Attribute("escape") ?? "!";
            if (wild.Length != 1 || single.Length != 1 || escape.Length != 1) throw new FilterException("wildCard, singleChar and escapeChar must be single characters");
            var literal = e.Elements().FirstOrDefault(c => c.Name.LocalName == "Literal")?.Value ?? throw new FilterException("PropertyIsLike needs a fes:Literal");
            var sql = new System.Text.StringBuilder();
            for (var i = 0; i < literal.Length; i++)
            {
                var c = literal[i];
                if (c == escape[0] && i + 1 < literal.Length) sql.Append(EscapeLike(literal[++i].ToString()));
                else if (c == wild[0]) sql.Append('%');
                else if (c == single[0]) sql.Append('_');
                else sql.Append(EscapeLike(c.ToString()));
            }
            return new LikeNode(p, sql.ToString(), (string?)e.Attribute("matchCase") == "false");
        }

        private static string EscapeLike(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

        private FilterNode Spatial(XElement e)
        {
            var p = Property(e);
            if (p.Type != PropertyType.Geometry) throw new FilterException($"fes:{e.Name.LocalName} needs the geometry property (footprint), not '{p.Name}'");
            var geometryElement = e.Elements().FirstOrDefault(c => c.Name.LocalName is not ("ValueReference" or "PropertyName"))
                                  ?? throw new FilterException($"fes:{e.Name.LocalName} needs a GML geometry");
            var geometry = Gml(geometryElement);
            var relation = e.Name.LocalName switch
            {
                "BBOX" or "Intersects" => SpatialRelation.Intersects,
                "Within" => SpatialRelation.Within,
                "Contains" => SpatialRelation.Contains,
                _ => SpatialRelation.Disjoint,
            };
            return new SpatialNode(p, relation, geometry);
        }

        /// <summary>gml:Envelope, gml:Polygon (exterior posList or pos), gml:Point; axis order from srsName (EPSG URNs are lat/lon).</summary>
        private Geometry Gml(XElement g)
        {
            var crs = g.AncestorsAndSelf().Select(a => (string?)a.Attribute("srsName")).FirstOrDefault(s => s is not null) ?? defaultCrs;
            var latLon = WfsCrs.IsLatLon(crs, "FILTER");
            var factory = new GeometryFactory(new PrecisionModel(), 4326);
            switch (g.Name.LocalName)
            {
                case "Envelope":
                {
                    var lower = Numbers(Child(g, "lowerCorner"));
                    var upper = Numbers(Child(g, "upperCorner"));
                    if (lower.Length != 2 || upper.Length != 2) throw new FilterException("gml:Envelope corners must be two numbers each");
                    var box = Requests.WfsGetFeatureRequest.Corners(lower[0], lower[1], upper[0], upper[1], latLon, "FILTER");
                    return Cql2Parser.BoxGeometry(box.MinX, box.MinY, box.MaxX, box.MaxY, 0);
                }
                case "Point":
                    return factory.CreatePoint(Coordinates(Child(g, "pos"), latLon).Single());
                case "Polygon":
                {
                    var ring = g.Descendants().FirstOrDefault(d => d.Name.LocalName == "exterior")
                               ?? throw new FilterException("gml:Polygon needs a gml:exterior ring");
                    var posList = ring.Descendants().FirstOrDefault(d => d.Name.LocalName == "posList");
                    var coords = posList is not null
                        ? Coordinates(posList.Value, latLon)
                        : ring.Descendants().Where(d => d.Name.LocalName == "pos").SelectMany(d => Coordinates(d.Value, latLon)).ToList();
                    if (coords.Count < 4 || !coords[0].Equals2D(coords[^1])) throw new FilterException("gml:Polygon's ring must be closed and have at least 4 positions");
                    var polygon = factory.CreatePolygon(coords.ToArray());
                    if (!polygon.IsValid) throw new FilterException("gml:Polygon is not valid");
                    return polygon;
                }
                default:
                    throw new FilterException($"gml:{g.Name.LocalName} is not supported; use gml:Envelope, gml:Polygon or gml:Point");
            }
        }

        private static string Child(XElement e, string name) =>
            e.Elements().FirstOrDefault(c => c.Name.LocalName == name)?.Value ?? throw new FilterException($"gml:{e.Name.LocalName} needs gml:{name}");

        private static double[] Numbers(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
                : throw new FilterException($"'{t}' is not a number")).ToArray();

        private static List<Coordinate> Coordinates(string text, bool latLon)
        {
            var n = Numbers(text);
            if (n.Length % 2 != 0) throw new FilterException("GML positions must come in pairs (2D)");
            var list = new List<Coordinate>();
            for (var i = 0; i < n.Length; i += 2)
            {
                var (x, y) = latLon ? (n[i + 1], n[i]) : (n[i], n[i + 1]);
                if (x is < -180 or > 180 || y is < -90 or > 90) throw new FilterException($"position {n[i]} {n[i + 1]} lies outside the world");
                list.Add(new Coordinate(x, y));
            }
            return list;
        }

        private FilterNode Temporal(XElement e)
        {
            var p = Property(e);
            if (p.Type != PropertyType.DateTime) throw new FilterException($"fes:{e.Name.LocalName} needs a time property (acquired), not '{p.Name}'");
            var t = e.Elements().FirstOrDefault(c => c.Name.LocalName is "TimePeriod" or "TimeInstant" or "Literal")
                    ?? throw new FilterException($"fes:{e.Name.LocalName} needs a gml:TimePeriod or gml:TimeInstant");
            DateTimeOffset? start, end;
            if (t.Name.LocalName == "TimePeriod")
            {
                start = FilterValues.Instant(Position(t, "begin"), 0).Start;
                end = FilterValues.Instant(Position(t, "end"), 0).End;
            }
            else
            {
                var text = t.Name.LocalName == "Literal" ? t.Value.Trim() : Position(t, "");
                (start, end) = FilterValues.Instant(text, 0);
            }
            var relation = e.Name.LocalName switch
            {
                "During" => TemporalRelation.During,
                "After" => TemporalRelation.After,
                "Before" => TemporalRelation.Before,
                _ => TemporalRelation.Intersects,
            };
            return new TemporalNode(p, relation, start, end);
        }

        /// <summary>beginPosition / endPosition / timePosition, or begin/end with a nested TimeInstant.</summary>
        private static string Position(XElement t, string which)
        {
            var direct = t.Descendants().FirstOrDefault(d => d.Name.LocalName == (which == "" ? "timePosition" : which + "Position"));
            if (direct is not null) return direct.Value.Trim();
            var nested = t.Elements().FirstOrDefault(d => d.Name.LocalName == which)?.Descendants().FirstOrDefault(d => d.Name.LocalName == "timePosition");
            return nested?.Value.Trim() ?? throw new FilterException($"gml:{t.Name.LocalName} needs a {(which == "" ? "timePosition" : which + "Position")}");
        }
    }
}
