using System.Globalization;
using NetTopologySuite.Geometries;

namespace RsGeoSearch.Core.Filtering;

/// <summary>
/// A filter on feature properties, parsed from CQL2 text (OGC API - Features Part 3) or FES 2.0 XML (WFS) and
/// checked against <see cref="FeatureSchema"/>: every literal already has its property's type (long, double,
/// string, DateTimeOffset). The store translates it to SQL with bound parameters.
/// </summary>
public abstract record FilterNode;

public sealed record AndNode(IReadOnlyList<FilterNode> Parts) : FilterNode;

public sealed record OrNode(IReadOnlyList<FilterNode> Parts) : FilterNode;

public sealed record NotNode(FilterNode Inner) : FilterNode;

public enum Comparison { Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual }

public sealed record CompareNode(FeatureProperty Property, Comparison Op, object Value) : FilterNode;

public sealed record BetweenNode(FeatureProperty Property, object Low, object High) : FilterNode;

public sealed record InNode(FeatureProperty Property, IReadOnlyList<object> Values) : FilterNode;

/// <summary>A SQL-style pattern: % any run of characters, _ one character, \ escapes the next one.</summary>
public sealed record LikeNode(FeatureProperty Property, string Pattern, bool IgnoreCase) : FilterNode;

public sealed record IsNullNode(FeatureProperty Property) : FilterNode;

public enum SpatialRelation { Intersects, Within, Contains, Disjoint }

/// <summary>A spatial relation between the property (a footprint) and a geometry in CRS84 longitude/latitude.</summary>
public sealed record SpatialNode(FeatureProperty Property, SpatialRelation Relation, Geometry Geometry) : FilterNode;

public enum TemporalRelation { Intersects, During, Before, After }

/// <summary>
/// A temporal relation between an instant property and the closed interval [Start, End] (an instant when equal;
/// either end may be open). Features without a time never match.
/// </summary>
public sealed record TemporalNode(FeatureProperty Property, TemporalRelation Relation, DateTimeOffset? Start, DateTimeOffset? End) : FilterNode;

/// <summary>One sort key (sortby / SORTBY).</summary>
public sealed record SortClause(FeatureProperty Property, bool Descending);

/// <summary>Literal checks shared by the parsers.</summary>
public static class FilterValues
{
    /// <summary>The literal as a value of the property's type, or a <see cref="FilterException"/> naming the mismatch.</summary>
    public static object Coerce(FeatureProperty property, object literal, int position)
    {
        switch (property.Type, literal)
        {
            case (PropertyType.Integer, long l): return l;
            case (PropertyType.Integer, double d) when d == Math.Floor(d) && Math.Abs(d) < 9e15: return (long)d;
            case (PropertyType.Integer, string s) when long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ls): return ls;
            case (PropertyType.Number, long l): return (double)l;
            case (PropertyType.Number, double d): return d;
            case (PropertyType.Number, string s) when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ds) && double.IsFinite(ds): return ds;
            case (PropertyType.String, string s): return s;
            case (PropertyType.DateTime, DateTimeOffset t): return t;
            case (PropertyType.DateTime, string s):
                try { return TimeRange.ParseInstant(s).Start; }
                catch (InputException) { break; }
        }
        throw new FilterException($"{Describe(literal)} does not fit property '{property.Name}' of type {property.Type.ToString().ToLowerInvariant()}", position);
    }

    /// <summary>Both ends of a date ("2020-08-31" is the whole day) or the instant of a date-time; a <see cref="FilterException"/> otherwise.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Instant(object literal, int position)
    {
        if (literal is DateTimeOffset t) return (t, t);
        if (literal is string s)
        {
            try { return TimeRange.ParseInstant(s); }
            catch (InputException) { }
        }
        throw new FilterException($"{Describe(literal)} is not a date or time", position);
    }

    private static string Describe(object literal) => literal switch
    {
        string s => $"'{(s.Length > 40 ? s[..40] + "…" : s)}'",
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => literal.ToString() ?? "",
    };
}
