using NpgsqlTypes;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Store.Tests;

/// <summary>The chip queries' SQL as text and bound parameters, built without a database.</summary>
public sealed class ChipSqlTests
{
    private static readonly ModelInfo Model = new(7, "m", 4);
    private static readonly ModelInfo Half = new(8, "h", 512, HalfPrecision: true);
    private static readonly BoundingBox Box = BoundingBox.Create(10, 40, 11, 41);
    private static readonly TimeRange Year = TimeRange.Create(new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2021, 12, 31, 0, 0, 0, TimeSpan.Zero));
    private static readonly float[] Vector = [1, 0, 0, 0];

    private static FeatureProperty P(string name) => FeatureSchema.Chips.Single(p => p.Name == name);

    private static int Occurrences(string text, string part) => text.Split(part).Length - 1;

    [Test]
    public void The_filter_clause_holds_box_cells_time_exclusions_and_the_property_filter_each_once()
    {
        var filter = new ChipFilter("m", Box, Year, new CompareNode(P("level"), Comparison.Equal, 1L), [5, 6]);
        var p = new SqlParameters();
        var sql = ChipSql.Filter(filter, [3, 4], "(score)", p);
        Assert.That(sql, Is.EqualTo(
            " AND ST_Intersects(c.footprint, ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, 4326)) AND c.cell = ANY(@cells)" +
            " AND c.acquired_at >= @from AND c.acquired_at <= @to AND e.chip_id <> ALL(@exclude) AND (c.level = @flt8)"));
        Assert.That(p.List.Select(x => x.ParameterName), Is.EqualTo(new[] { "minx", "miny", "maxx", "maxy", "cells", "from", "to", "exclude", "flt8" }));
        Assert.That(p["cells"], Is.EqualTo(new[] { 3, 4 }));
        Assert.That(p["exclude"], Is.EqualTo(new long[] { 5, 6 }));
        Assert.That(p.List.Single(x => x.ParameterName == "from").NpgsqlDbType, Is.EqualTo(NpgsqlDbType.TimestampTz));
    }

    [Test]
    public void An_unfiltered_clause_is_empty_and_binds_nothing()
    {
        var p = new SqlParameters();
        Assert.That(ChipSql.Filter(new ChipFilter("m"), null, null, p), Is.Empty);
        Assert.That(p.List, Is.Empty);
        Assert.That(new ChipFilter("m").NarrowsChips, Is.False);
        Assert.That(new ChipFilter("m", Time: Year).NarrowsChips, Is.True);
    }

    [Test]
    public void A_box_without_cells_is_not_pruned()
    {
        var sql = ChipSql.Filter(new ChipFilter("m", Box), null, null, new SqlParameters());
        Assert.That(sql, Does.Contain("ST_Intersects(c.footprint").And.Not.Contain("cell"));
    }

    [Test]
    public void The_exact_page_sorts_every_candidate_by_distance_then_id_and_joins_the_details()
    {
        var query = new SearchQuery("m", Vector, Box, Limit: 10, Offset: 20);
        var p = new SqlParameters();
        var sql = ChipSql.Search(Model, query, SearchPlan.Exact, 30, [1], embeddings: false, p);
        Assert.That(sql, Does.Contain("e.embedding <=> @q::vector AS distance"), "the untyped column: no HNSW index matches");
        Assert.That(sql, Does.Contain("ORDER BY distance, e.chip_id LIMIT @n"));
        Assert.That(sql, Does.Contain("JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell"), "a box joins chips in the ranking");
        Assert.That(sql, Does.Contain("JOIN chips c ON c.id = r.chip_id AND c.cell = r.cell").And.Contain("JOIN scenes s ON s.id = c.scene_id"));
        Assert.That(sql.TrimEnd(), Does.EndWith("ORDER BY r.distance, c.id"), "the caller cuts the page; no OFFSET, no window function (Citus)");
        Assert.That(Occurrences(sql, "ST_MakeEnvelope"), Is.EqualTo(1), "the box is written once");
        Assert.That(p["n"], Is.EqualTo(30));
        Assert.That(p.List.Select(x => x.ParameterName), Is.EqualTo(new[] { "q", "minx", "miny", "maxx", "maxy", "cells", "n" }));
        Assert.That(sql, Does.Not.Contain("::vector\n").And.Not.Contain("JOIN embeddings e ON e.chip_id = r.chip_id"));
    }

    [Test]
    public void The_index_page_uses_the_typed_distance_of_the_hnsw_index_and_no_chip_join_without_a_filter()
    {
        var sql = ChipSql.Search(Half, new SearchQuery("h", new float[512]), SearchPlan.Index, 25, null, embeddings: true, new SqlParameters());
        Assert.That(sql, Does.Contain("(e.embedding_half::halfvec(512)) <=> @q::halfvec(512) AS distance"));
        Assert.That(sql, Does.Contain("ORDER BY distance LIMIT @n"));
        Assert.That(sql, Does.Not.Contain("JOIN chips c ON c.id = e.chip_id"), "nothing narrows the chips: the ranking reads embeddings alone");
        Assert.That(sql, Does.Contain("e.embedding_half::vector").And.Contain("JOIN embeddings e ON e.chip_id = r.chip_id AND e.cell = r.cell AND e.model_id = 8"));
        Assert.That(() => ChipSql.Search(Model, new SearchQuery("m", Vector), SearchPlan.Auto, 10, null, false, new SqlParameters()), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void The_count_binds_the_min_score_as_a_distance_and_the_score_filter_sees_the_query_vector()
    {
        var query = new SearchQuery("m", Vector, MinScore: 0.25, Where: new CompareNode(P("score"), Comparison.Greater, 0.5));
        var p = new SqlParameters();
        var sql = ChipSql.Count(Model, query, null, p);
        Assert.That(sql, Does.StartWith("SELECT count(*) FROM embeddings e JOIN chips c ON c.id = e.chip_id AND c.cell = e.cell WHERE e.model_id = 7"));
        Assert.That(sql, Does.Contain("((1 - (e.embedding <=> @q::vector)) > @flt1)").And.EndWith("(e.embedding <=> @q::vector) <= @maxdist"));
        Assert.That(p["maxdist"], Is.EqualTo(0.75));
        Assert.That(p.List.Select(x => x.ParameterName), Is.EqualTo(new[] { "q", "flt1", "maxdist" }));
    }

    [Test]
    public void The_listing_and_its_count_share_one_filter_and_its_parameters()
    {
        var p = new SqlParameters();
        var sql = ChipSql.List(Model, new ChipFilter("m", Box, Year), [2], 5, 10, [new SortClause(P("acquired"), Descending: true)], p);
        var statements = sql.Split(";\n");
        Assert.That(statements, Has.Length.EqualTo(2));
        Assert.That(statements[0], Does.Contain("ORDER BY c.acquired_at DESC NULLS LAST, c.id LIMIT @limit OFFSET @offset"));
        Assert.That(statements[1].Trim(), Does.StartWith("SELECT count(*) FROM chips c JOIN embeddings e ON e.chip_id = c.id AND e.cell = c.cell AND e.model_id = 7"));
        Assert.That(Occurrences(sql, "ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, 4326)"), Is.EqualTo(2));
        Assert.That(p.List.Count(x => x.ParameterName == "minx"), Is.EqualTo(1), "bound once for both statements");
    }

    [Test]
    public void The_estimate_looks_up_cells_only_for_a_box_and_filters_scenes_by_time()
    {
        var plain = ChipSql.Estimate(Model, new ChipFilter("m", null, Year), new SqlParameters());
        Assert.That(plain, Does.Contain("NULL::int[]").And.Contain("s.acquired_at >= @from").And.Contain("embeddings_hnsw_m7"));
        var boxed = ChipSql.Estimate(Model, new ChipFilter("m", Box), new SqlParameters());
        Assert.That(boxed, Does.Contain("array_agg(DISTINCT s.cell)").And.Contain("s.footprint && ST_MakeEnvelope"));
    }

    [Test]
    public void Index_settings_bound_the_scan()
    {
        var sql = ChipSql.IndexSettings(120, 50_000);
        Assert.That(sql, Does.Contain("SET LOCAL hnsw.ef_search = 120").And.Contain("SET LOCAL hnsw.max_scan_tuples = 50000")
            .And.Contain("hnsw.iterative_scan = relaxed_order"));
    }
}
