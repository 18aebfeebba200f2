using System.Globalization;
using NetTopologySuite.IO;
using Npgsql;
using NpgsqlTypes;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Store;

/// <summary>
/// The SQL expression of each queryable property of one feature type (chips as c, scenes as s). The chips'
/// score is the caller's expression over the query vector, or absent when nothing ranks the chips.
/// </summary>
public sealed class FilterColumns
{
    private const string SceneName = "substring(rtrim({0}.uri, '/\\') from '[^/\\\\]*$')";
    private readonly IReadOnlyDictionary<string, string> _sql;

    private FilterColumns(IReadOnlyDictionary<string, string> sql, string id)
    {
        _sql = sql;
        Id = id;
    }

    /// <summary>The id column, the last sort key (a stable order for paging).</summary>
    public string Id { get; }

    /// <summary>Columns of chips c; <paramref name="scoreSql"/> is the score of a ranked query (null: none).</summary>
    public static FilterColumns Chips(string? scoreSql)
    {
        var map = new Dictionary<string, string>
        {
            [FeatureSchema.Geometry] = "c.footprint",
            ["acquired"] = "c.acquired_at",
            ["scene_id"] = "c.scene_id",
            ["scene"] = $"(SELECT {string.Format(CultureInfo.InvariantCulture, SceneName, "s_")} FROM scenes s_ WHERE s_.id = c.scene_id)",
            ["level"] = "c.level",
            ["col"] = "c.col",
            ["row"] = "c.\"row\"",
            ["nodata_fraction"] = "c.nodata_fraction",
        };
        if (scoreSql is not null) map["score"] = scoreSql;
        return new FilterColumns(map, "c.id");
    }

    /// <summary>Columns of scenes s.</summary>
    public static readonly FilterColumns Scenes = new(new Dictionary<string, string>
    {
        [FeatureSchema.Geometry] = "s.footprint",
        ["name"] = string.Format(CultureInfo.InvariantCulture, SceneName, "s"),
        ["acquired"] = "s.acquired_at",
        ["crs"] = "s.crs",
        ["width"] = "s.width",
        ["height"] = "s.height",
        ["bands"] = "s.bands",
        ["chip_count"] = "coalesce((SELECT max(sm_.chip_count) FROM scene_models sm_ WHERE sm_.scene_id = s.id), 0)",
    }, "s.id");

    public string Of(FeatureProperty property) =>
        _sql.TryGetValue(property.Name, out var sql) ? sql
            : throw new FilterException($"property '{property.Name}' cannot be filtered or sorted on here");
}

/// <summary>
/// Translates a <see cref="FilterNode"/> to a SQL condition and sort keys to an ORDER BY: pure functions, every
/// literal a bound parameter (named @flt0, @flt1 ...), never text spliced into the statement.
/// </summary>
public static class FilterSql
{
    /// <summary>The condition for <paramref name="node"/>; the parameters it binds are appended to <paramref name="parameters"/>.</summary>
    public static string Where(FilterNode node, FilterColumns columns, List<NpgsqlParameter> parameters) => node switch
    {
        AndNode a => a.Parts.Count == 0 ? "true" : "(" + string.Join(" AND ", a.Parts.Select(p => Where(p, columns, parameters))) + ")",
        OrNode o => o.Parts.Count == 0 ? "false" : "(" + string.Join(" OR ", o.Parts.Select(p => Where(p, columns, parameters))) + ")",
        NotNode n => $"(NOT {Where(n.Inner, columns, parameters)})",
        CompareNode c => $"({columns.Of(c.Property)} {Operator(c.Op)} {Bind(c.Value, parameters)})",
        BetweenNode b => $"({columns.Of(b.Property)} BETWEEN {Bind(b.Low, parameters)} AND {Bind(b.High, parameters)})",
        InNode i => $"({columns.Of(i.Property)} IN ({string.Join(", ", i.Values.Select(v => Bind(v, parameters)))}))",
        LikeNode l => $"({columns.Of(l.Property)}::text {(l.IgnoreCase ? "ILIKE" : "LIKE")} {Bind(l.Pattern, parameters)} ESCAPE '\\')",
        IsNullNode n => $"({columns.Of(n.Property)} IS NULL)",
        SpatialNode s => $"{Spatial(s.Relation)}({columns.Of(s.Property)}, ST_GeomFromWKB({Bind(new WKBWriter().Write(s.Geometry), parameters)}, 4326))",
        TemporalNode t => Temporal(t, columns.Of(t.Property), parameters),
        _ => throw new ArgumentException($"unknown filter node {node.GetType().Name}", nameof(node)),
    };

    /// <summary>"k1 ASC NULLS LAST, ..., id": the sort keys, then the id for a stable order.</summary>
    public static string OrderBy(IReadOnlyList<SortClause>? keys, FilterColumns columns)
    {
        var parts = (keys ?? []).Select(k => $"{columns.Of(k.Property)} {(k.Descending ? "DESC NULLS LAST" : "ASC NULLS LAST")}").ToList();
        parts.Add(columns.Id);
        return string.Join(", ", parts);
    }

    private static string Operator(Comparison op) => op switch
    {
        Comparison.Equal => "=",
        Comparison.NotEqual => "<>",
        Comparison.Less => "<",
        Comparison.LessOrEqual => "<=",
        Comparison.Greater => ">",
        Comparison.GreaterOrEqual => ">=",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    private static string Spatial(SpatialRelation relation) => relation switch
    {
        SpatialRelation.Intersects => "ST_Intersects",
        SpatialRelation.Within => "ST_Within",
        SpatialRelation.Contains => "ST_Contains",
        SpatialRelation.Disjoint => "ST_Disjoint",
        _ => throw new ArgumentOutOfRangeException(nameof(relation)),
    };

    private static string Temporal(TemporalNode t, string column, List<NpgsqlParameter> parameters)
    {
        var conditions = new List<string> { $"{column} IS NOT NULL" };
        switch (t.Relation)
        {
            case TemporalRelation.Intersects:
                if (t.Start is { } s) conditions.Add($"{column} >= {Bind(s, parameters)}");
                if (t.End is { } e) conditions.Add($"{column} <= {Bind(e, parameters)}");
                break;
            case TemporalRelation.During:
                if (t.Start is { } ds) conditions.Add($"{column} > {Bind(ds, parameters)}");
                if (t.End is { } de) conditions.Add($"{column} < {Bind(de, parameters)}");
                break;
            case TemporalRelation.Before:
                conditions.Add(t.Start is { } bs ? $"{column} < {Bind(bs, parameters)}" : "false");
                break;
            case TemporalRelation.After:
                conditions.Add(t.End is { } ae ? $"{column} > {Bind(ae, parameters)}" : "false");
                break;
        }
        return "(" + string.Join(" AND ", conditions) + ")";
    }

    private static string Bind(object value, List<NpgsqlParameter> parameters)
    {
        var name = "flt" + parameters.Count.ToString(CultureInfo.InvariantCulture);
        parameters.Add(value switch
        {
            long l => new NpgsqlParameter(name, NpgsqlDbType.Bigint) { Value = l },
            double d => new NpgsqlParameter(name, NpgsqlDbType.Double) { Value = d },
            string s => new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = s },
            DateTimeOffset t => new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = t.ToUniversalTime() },
            byte[] b => new NpgsqlParameter(name, NpgsqlDbType.Bytea) { Value = b },
            _ => throw new ArgumentException($"cannot bind a {value.GetType().Name}", nameof(value)),
        });
        return "@" + name;
    }
}
