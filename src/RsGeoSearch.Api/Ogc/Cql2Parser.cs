using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Api.Ogc;

/// <summary>
/// CQL2 text (OGC API - Features Part 3, filter-lang=cql2-text) to a <see cref="FilterNode"/>: Basic CQL2
/// (comparisons, AND/OR/NOT, IS [NOT] NULL), Advanced Comparison (LIKE, BETWEEN, IN), CASEI/ILIKE,
/// S_INTERSECTS/S_WITHIN/S_CONTAINS/S_DISJOINT with WKT or BBOX(...) geometries, and T_INTERSECTS/T_DURING/
/// T_BEFORE/T_AFTER with DATE/TIMESTAMP/INTERVAL. Every property is checked against the feature schema and
/// every literal against its property's type; errors are <see cref="FilterException"/>s with the 1-based position.
/// </summary>
internal sealed class Cql2Parser
{
    private readonly string _text;
    private readonly IReadOnlyList<FeatureProperty> _schema;
    private readonly bool _ranked;
    private int _pos;

    private Cql2Parser(string text, IReadOnlyList<FeatureProperty> schema, bool ranked)
    {
        _text = text;
        _schema = schema;
        _ranked = ranked;
    }

    public static FilterNode Parse(string text, IReadOnlyList<FeatureProperty> schema, bool ranked)
    {
        if (text.Length > 20_000) throw new FilterException($"the filter is {text.Length} characters long; at most 20000");
        var parser = new Cql2Parser(text, schema, ranked);
        var node = parser.Or();
        parser.SkipSpace();
        if (parser._pos < text.Length) throw parser.Error($"unexpected '{parser.Peek(12)}'");
        return node;
    }

    private FilterNode Or()
    {
        var parts = new List<FilterNode> { And() };
        while (Keyword("OR")) parts.Add(And());
        return parts.Count == 1 ? parts[0] : new OrNode(parts);
    }

    private FilterNode And()
    {
        var parts = new List<FilterNode> { Not() };
        while (Keyword("AND")) parts.Add(Not());
        return parts.Count == 1 ? parts[0] : new AndNode(parts);
    }

    private FilterNode Not()
    {
        if (Keyword("NOT")) return new NotNode(Not());
        SkipSpace();
        if (Symbol("("))
        {
            var inner = Or();
            Expect(")");
            return inner;
        }
        return Predicate();
    }

    private FilterNode Predicate()
    {
        SkipSpace();
        var start = _pos;
        var name = Identifier() ?? throw Error("expected a property name, a function such as S_INTERSECTS or '('");
        var upper = name.ToUpperInvariant();
        if (upper is "S_INTERSECTS" or "S_WITHIN" or "S_CONTAINS" or "S_DISJOINT" or "INTERSECTS" or "WITHIN" or "CONTAINS" or "DISJOINT" && PeekSymbol("("))
            return SpatialPredicate(upper.StartsWith("S_", StringComparison.Ordinal) ? upper[2..] : upper, start);
        if (upper is "T_INTERSECTS" or "T_DURING" or "T_BEFORE" or "T_AFTER" or "ANYINTERACTS" && PeekSymbol("("))
            return TemporalPredicate(upper, start);
        var caseInsensitive = false;
        if (upper == "CASEI" && PeekSymbol("("))
        {
            Expect("(");
            SkipSpace();
            start = _pos;
            name = Identifier() ?? throw Error("CASEI needs a property name");
            Expect(")");
            caseInsensitive = true;
        }
        var property = FeatureSchema.Queryable(_schema, name, start + 1, _ranked);
        if (property.Type == PropertyType.Geometry) throw Error($"'{name}' is a geometry; compare it with S_INTERSECTS(...)", start);

        var negate = Keyword("NOT");
        var isLike = Keyword("LIKE");
        var isIlike = !isLike && Keyword("ILIKE");
        if (isLike || isIlike)
        {
            caseInsensitive |= isIlike;
            if (property.Type != PropertyType.String) throw Error($"LIKE needs a text property; '{name}' is {Lower(property.Type)}", start);
            var pattern = Literal(out var at);
            if (pattern is not string p) throw Error("LIKE needs a text pattern in single quotes", at);
            FilterNode like = new LikeNode(property, p, caseInsensitive);
            return negate ? new NotNode(like) : like;
        }
        if (Keyword("BETWEEN"))
        {
            var low = FilterValues.Coerce(property, Literal(out var a1), a1 + 1);
            if (!Keyword("AND")) throw Error("BETWEEN needs AND between its bounds");
            var high = FilterValues.Coerce(property, Literal(out var a2), a2 + 1);
            FilterNode between = new BetweenNode(property, low, high);
            return negate ? new NotNode(between) : between;
        }
        if (Keyword("IN"))
        {
            Expect("(");
            var values = new List<object>();
            do values.Add(FilterValues.Coerce(property, Literal(out var a), a + 1)); while (Symbol(","));
            Expect(")");
            FilterNode @in = new InNode(property, values);
            return negate ? new NotNode(@in) : @in;
        }
        if (negate) throw Error("NOT here must be followed by LIKE, BETWEEN or IN");
        if (Keyword("IS"))
        {
            var not = Keyword("NOT");
            if (!Keyword("NULL")) throw Error("IS must be followed by NULL or NOT NULL");
            FilterNode isNull = new IsNullNode(property);
            return not ? new NotNode(isNull) : isNull;
        }
        SkipSpace();
        var op = Comparator() ?? throw Error("expected a comparison (= <> < <= > >=), LIKE, BETWEEN, IN or IS NULL");
        var value = FilterValues.Coerce(property, Literal(out var vat), vat + 1);
        return new CompareNode(property, op, value);
    }

    private FilterNode SpatialPredicate(string relation, int start)
    {
        var property = FunctionProperty(PropertyType.Geometry, "a geometry property (geometry)");
        var geometry = Geometry();
        Expect(")");
        var r = relation switch
        {
            "INTERSECTS" => SpatialRelation.Intersects,
            "WITHIN" => SpatialRelation.Within,
            "CONTAINS" => SpatialRelation.Contains,
            "DISJOINT" => SpatialRelation.Disjoint,
            _ => throw Error($"unknown spatial function {relation}", start),
        };
        return new SpatialNode(property, r, geometry);
    }

    private FilterNode TemporalPredicate(string function, int start)
    {
        var property = FunctionProperty(PropertyType.DateTime, "a time property (acquired)");
        var (from, to) = TimeValue();
        Expect(")");
        var relation = function switch
        {
            "T_INTERSECTS" or "ANYINTERACTS" => TemporalRelation.Intersects,
            "T_DURING" => TemporalRelation.During,
            "T_BEFORE" => TemporalRelation.Before,
            "T_AFTER" => TemporalRelation.After,
            _ => throw Error($"unknown temporal function {function}", start),
        };
        return new TemporalNode(property, relation, from, to);
    }

    /// <summary>"(property," of a spatial or temporal function: the property, which must be of <paramref name="type"/>.</summary>
    private FeatureProperty FunctionProperty(PropertyType type, string what)
    {
        Expect("(");
        SkipSpace();
        var at = _pos;
        var name = Identifier() ?? throw Error($"expected {what}");
        var property = FeatureSchema.Queryable(_schema, name, at + 1, _ranked);
        if (property.Type != type) throw Error($"'{name}' is not {what}", at);
        Expect(",");
        return property;
    }

    /// <summary>DATE('...'), TIMESTAMP('...'), '...' or INTERVAL(a, b) with '..' for an open end.</summary>
    private (DateTimeOffset? From, DateTimeOffset? To) TimeValue()
    {
        SkipSpace();
        var save = _pos;
        var word = Identifier();
        if (word is not null && word.Equals("INTERVAL", StringComparison.OrdinalIgnoreCase))
        {
            Expect("(");
            var a = IntervalEnd(out var aAt);
            Expect(",");
            var b = IntervalEnd(out var bAt);
            Expect(")");
            DateTimeOffset? from = a is null ? null : FilterValues.Instant(a, aAt + 1).Start;
            DateTimeOffset? to = b is null ? null : FilterValues.Instant(b, bAt + 1).End;
            if (from > to) throw Error("INTERVAL starts after it ends", aAt);
            return (from, to);
        }
        _pos = save;
        var value = Literal(out var at);
        var (s, e) = FilterValues.Instant(value, at + 1);
        return (s, e);
    }

    private object? IntervalEnd(out int at)
    {
        SkipSpace();
        at = _pos;
        if (Symbol("'..'") || Symbol("\"..\"") || Symbol("..")) return null;
        return Literal(out at);
    }

    /// <summary>A string, number, boolean, DATE('...') or TIMESTAMP('...').</summary>
    private object Literal(out int at)
    {
        SkipSpace();
        at = _pos;
        if (_pos >= _text.Length) throw Error("expected a value but the filter ended");
        var c = _text[_pos];
        if (c == '\'') return QuotedString();
        if (char.IsAsciiDigit(c) || c is '-' or '+' or '.') return Number();
        var word = Identifier() ?? throw Error($"expected a value, not '{Peek(12)}'");
        switch (word.ToUpperInvariant())
        {
            case "TRUE": return 1L;
            case "FALSE": return 0L;
            case "DATE":
            case "TIMESTAMP":
                Expect("(");
                SkipSpace();
                var inner = _pos;
                var text = QuotedString();
                Expect(")");
                try
                {
                    var instant = TimeRange.ParseInstant(text).Start;
                    // A DATE stays text, so that as an interval's end it covers its whole day.
                    return word.Equals("DATE", StringComparison.OrdinalIgnoreCase) ? text : instant;
                }
                catch (InputException e) { throw new FilterException(e.Message, inner + 1); }
            case "CASEI":
                Expect("(");
                var v = Literal(out _);
                Expect(")");
                return v;
            default:
                throw Error($"'{word}' is not a value; text values go in single quotes", at);
        }
    }

    private string QuotedString()
    {
        var start = _pos;
        _pos++; // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) throw Error("a text value is not closed with '", start);
            var c = _text[_pos++];
            if (c == '\'')
            {
                if (_pos < _text.Length && _text[_pos] == '\'') { sb.Append('\''); _pos++; continue; }
                return sb.ToString();
            }
            sb.Append(c);
        }
    }

    private object Number()
    {
        var start = _pos;
        if (_text[_pos] is '-' or '+') _pos++;
        while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] is '.' or 'e' or 'E'
                                       || (_text[_pos] is '-' or '+' && _text[_pos - 1] is 'e' or 'E'))) _pos++;
        var s = _text[start.._pos];
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
        throw Error($"'{s}' is not a number", start);
    }

    /// <summary>BBOX(minx, miny, maxx, maxy) or a WKT geometry (POINT, LINESTRING, POLYGON, MULTI..., in lon lat).</summary>
    private Geometry Geometry()
    {
        SkipSpace();
        var start = _pos;
        var word = Identifier() ?? throw Error("expected a geometry: BBOX(...) or WKT such as POLYGON((...))");
        if (word.Equals("BBOX", StringComparison.OrdinalIgnoreCase) || word.Equals("ENVELOPE", StringComparison.OrdinalIgnoreCase))
        {
            Expect("(");
            var v = new List<double>();
            do
            {
                var n = Literal(out var at);
                v.Add(n switch { long l => l, double d => d, _ => throw Error("BBOX takes numbers", at) });
            } while (Symbol(","));
            Expect(")");
            if (v.Count == 6) v = [v[0], v[1], v[3], v[4]];
            if (v.Count != 4) throw Error("BBOX takes 4 numbers: minx, miny, maxx, maxy", start);
            return BoxGeometry(v[0], v[1], v[2], v[3], start);
        }
        SkipSpace();
        if (_pos >= _text.Length || _text[_pos] != '(') throw Error($"'{word}' is not a geometry; use BBOX(...) or WKT", start);
        var depth = 0;
        do
        {
            if (_text[_pos] == '(') depth++;
            else if (_text[_pos] == ')') depth--;
            _pos++;
        } while (depth > 0 && _pos < _text.Length);
        if (depth != 0) throw Error("the geometry's parentheses are not closed", start);
        try
        {
            var geometry = new WKTReader().Read(_text[start.._pos]);
            if (!geometry.IsValid) throw Error("the geometry is not valid (e.g. a self-intersecting polygon)", start);
            if (geometry.Coordinates.Any(c => c.X is < -180 or > 180 || c.Y is < -90 or > 90))
                throw Error("geometry coordinates must be longitude, latitude in degrees (CRS84)", start);
            return geometry;
        }
        catch (Exception e) when (e is ParseException or ArgumentException)
        {
            throw Error($"the geometry is not well-formed WKT: {e.Message}", start);
        }
    }

    /// <summary>A box as a polygon; min x greater than max x crosses the antimeridian and gives two boxes.</summary>
    internal static Geometry BoxGeometry(double minX, double minY, double maxX, double maxY, int position)
    {
        if (minY > maxY || minX is < -180 or > 180 || maxX is < -180 or > 180 || minY < -90 || maxY > 90)
            throw new FilterException($"box {minX},{minY},{maxX},{maxY} is not minx,miny,maxx,maxy within -180,-90,180,90", position + 1);
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        if (minX <= maxX) return factory.ToGeometry(new Envelope(minX, maxX, minY, maxY));
        return factory.CreateMultiPolygon(
        [
            (Polygon)factory.ToGeometry(new Envelope(minX, 180, minY, maxY)),
            (Polygon)factory.ToGeometry(new Envelope(-180, maxX, minY, maxY)),
        ]);
    }

    private Comparison? Comparator()
    {
        foreach (var (symbol, op) in new[] { ("<>", Comparison.NotEqual), ("!=", Comparison.NotEqual), ("<=", Comparison.LessOrEqual), (">=", Comparison.GreaterOrEqual),
                                              ("=", Comparison.Equal), ("<", Comparison.Less), (">", Comparison.Greater) })
            if (Symbol(symbol)) return op;
        return null;
    }

    /// <summary>A name (letters, digits, _ . :) or a "double-quoted" name; null (nothing consumed) when there is none.</summary>
    private string? Identifier()
    {
        SkipSpace();
        if (_pos >= _text.Length) return null;
        if (_text[_pos] == '"')
        {
            var end = _text.IndexOf('"', _pos + 1);
            if (end < 0) throw Error("a quoted name is not closed with \"");
            var quoted = _text[(_pos + 1)..end];
            _pos = end + 1;
            return quoted;
        }
        if (!char.IsAsciiLetter(_text[_pos]) && _text[_pos] != '_') return null;
        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '.' or ':')) _pos++;
        return _text[start.._pos];
    }

    private bool Keyword(string word)
    {
        SkipSpace();
        if (_pos + word.Length > _text.Length || string.Compare(_text, _pos, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) != 0) return false;
        var after = _pos + word.Length;
        if (after < _text.Length && (char.IsAsciiLetterOrDigit(_text[after]) || _text[after] == '_')) return false;
        _pos = after;
        return true;
    }

    private bool Symbol(string symbol)
    {
        SkipSpace();
        if (_pos + symbol.Length > _text.Length || string.CompareOrdinal(_text, _pos, symbol, 0, symbol.Length) != 0) return false;
        _pos += symbol.Length;
        return true;
    }

    private bool PeekSymbol(string symbol)
    {
        var save = _pos;
        var found = Symbol(symbol);
        _pos = save;
        return found;
    }

    private void Expect(string symbol)
    {
        if (!Symbol(symbol)) throw Error(_pos >= _text.Length ? $"expected '{symbol}' but the filter ended" : $"expected '{symbol}', not '{Peek(12)}'");
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private string Peek(int n) => _text.Substring(_pos, Math.Min(n, _text.Length - _pos));

    private static string Lower(PropertyType t) => t.ToString().ToLowerInvariant();

    private FilterException Error(string message, int? at = null) => new(message, (at ?? _pos) + 1);
}
