using Npgsql;
using NpgsqlTypes;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Store.Tests;

/// <summary>The filter-to-SQL translation as text and bound parameters: no database, no literal in the statement.</summary>
public sealed class FilterSqlTests
{
    private static FeatureProperty P(string name) => FeatureSchema.Chips.Single(p => p.Name == name);

    [Test]
    public void Comparisons_and_logic_become_sql_with_every_literal_bound()
    {
        var evil = "x'); DROP TABLE chips; --";
        var node = new AndNode([
            new CompareNode(P("level"), Comparison.GreaterOrEqual, 1L),
            new OrNode([new CompareNode(P("scene"), Comparison.Equal, evil), new NotNode(new IsNullNode(P("acquired")))]),
            new InNode(P("col"), [1L, 2L]),
            new LikeNode(P("scene"), "m\\_%", IgnoreCase: true),
        ]);
        var parameters = new List<NpgsqlParameter>();
        var sql = FilterSql.Where(node, FilterColumns.Chips(null), parameters);
        Assert.That(sql, Does.Not.Contain("DROP").And.Not.Contain("'x"));
        Assert.That(sql, Does.Contain("c.level >= @flt0").And.Contain("= @flt1").And.Contain("(NOT (c.acquired_at IS NULL))")
            .And.Contain("c.col IN (@flt2, @flt3)").And.Contain("ILIKE @flt4 ESCAPE '\\'"));
        Assert.That(parameters.Select(p => p.ParameterName), Is.EqualTo(new[] { "flt0", "flt1", "flt2", "flt3", "flt4" }));
        Assert.That(parameters[1].Value, Is.EqualTo(evil));
        Assert.That(parameters[1].NpgsqlDbType, Is.EqualTo(NpgsqlDbType.Text));
        Assert.That(parameters[0].NpgsqlDbType, Is.EqualTo(NpgsqlDbType.Bigint));
    }

    [Test]
    public void Time_space_sorting_and_score_translate()
    {
        var from = new DateTimeOffset(2016, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var parameters = new List<NpgsqlParameter>();
        var during = FilterSql.Where(new TemporalNode(P("acquired"), TemporalRelation.During, from, null), FilterColumns.Chips(null), parameters);
        Assert.That(during, Is.EqualTo("(c.acquired_at IS NOT NULL AND c.acquired_at > @flt0)"));
        Assert.That(parameters[0].NpgsqlDbType, Is.EqualTo(NpgsqlDbType.TimestampTz));

        var box = new NetTopologySuite.Geometries.GeometryFactory().ToGeometry(new NetTopologySuite.Geometries.Envelope(0, 1, 0, 1));
        var spatial = FilterSql.Where(new SpatialNode(P("geometry"), SpatialRelation.Within, box), FilterColumns.Chips(null), parameters);
        Assert.That(spatial, Is.EqualTo("ST_Within(c.footprint, ST_GeomFromWKB(@flt1, 4326))"));
        Assert.That(parameters[1].Value, Is.TypeOf<byte[]>());

        Assert.That(FilterSql.Where(new CompareNode(P("score"), Comparison.Greater, 0.2), FilterColumns.Chips("(1 - d)"), []), Is.EqualTo("((1 - d) > @flt0)"));
        Assert.Throws<FilterException>(() => FilterSql.Where(new CompareNode(P("score"), Comparison.Greater, 0.2), FilterColumns.Chips(null), []));

        Assert.That(FilterSql.OrderBy([new SortClause(P("acquired"), true), new SortClause(P("level"), false)], FilterColumns.Chips(null)),
            Is.EqualTo("c.acquired_at DESC NULLS LAST, c.level ASC NULLS LAST, c.id"));
        Assert.That(FilterSql.OrderBy(null, FilterColumns.Scenes), Is.EqualTo("s.id"));
    }
}
