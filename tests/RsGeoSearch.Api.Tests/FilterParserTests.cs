using RsGeoSearch.Api.Ogc;
using RsGeoSearch.Api.Wfs;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Api.Tests;

/// <summary>The CQL2 text and FES 2.0 parsers and the sort-key reader, checked against the chips schema: no database.</summary>
public sealed class FilterParserTests
{
    private static FilterNode Cql(string text, bool ranked = false) => Cql2Parser.Parse(text, FeatureSchema.Chips, ranked);

    private static FeatureProperty P(string name) => FeatureSchema.Chips.Single(p => p.Name == name);

    [Test]
    public void Cql2_comparisons_logic_and_precedence_give_the_expected_tree()
    {
        var node = Cql("level = 0 AND (scene LIKE 'm_46%' OR NOT nodata_fraction >= 0.5) AND acquired > TIMESTAMP('2016-08-16T00:00:00Z')");
        Assert.That(node, Is.TypeOf<AndNode>());
        var and = (AndNode)node;
        Assert.That(and.Parts, Has.Count.EqualTo(3));
        Assert.That(and.Parts[0], Is.EqualTo(new CompareNode(P("level"), Comparison.Equal, 0L)));
        var or = (OrNode)and.Parts[1];
        Assert.That(or.Parts[0], Is.EqualTo(new LikeNode(P("scene"), "m_46%", false)));
        Assert.That(or.Parts[1], Is.EqualTo(new NotNode(new CompareNode(P("nodata_fraction"), Comparison.GreaterOrEqual, 0.5))));
        Assert.That(and.Parts[2], Is.EqualTo(new CompareNode(P("acquired"), Comparison.Greater, new DateTimeOffset(2016, 8, 16, 0, 0, 0, TimeSpan.Zero))));
    }

    [Test]
    public void Cql2_advanced_comparisons_null_and_case_insensitive_forms_parse()
    {
        Assert.That(Cql("level BETWEEN 0 AND 2"), Is.EqualTo(new BetweenNode(P("level"), 0L, 2L)));
        Assert.That(((InNode)Cql("scene_id IN (1, 2,3)")).Values, Is.EqualTo(new object[] { 1L, 2L, 3L }));
        Assert.That(Cql("acquired IS NULL"), Is.EqualTo(new IsNullNode(P("acquired"))));
        Assert.That(Cql("acquired IS NOT NULL"), Is.EqualTo(new NotNode(new IsNullNode(P("acquired")))));
        Assert.That(Cql("CASEI(scene) LIKE CASEI('M_46%')"), Is.EqualTo(new LikeNode(P("scene"), "M_46%", true)));
        Assert.That(Cql("scene ILIKE 'x'"), Is.EqualTo(new LikeNode(P("scene"), "x", true)));
        Assert.That(Cql("scene NOT LIKE 'x'"), Is.EqualTo(new NotNode(new LikeNode(P("scene"), "x", false))));
        Assert.That(Cql("scene = 'it''s'"), Is.EqualTo(new CompareNode(P("scene"), Comparison.Equal, "it's")));
        // GDAL's OAPIF driver writes timestamps as plain strings.
        Assert.That(Cql("acquired >= '2016-08-16'"), Is.EqualTo(new CompareNode(P("acquired"), Comparison.GreaterOrEqual, new DateTimeOffset(2016, 8, 16, 0, 0, 0, TimeSpan.Zero))));
        Assert.That(Cql("score > 0.2", ranked: true), Is.EqualTo(new CompareNode(P("score"), Comparison.Greater, 0.2)));
    }

    [Test]
    public void Cql2_spatial_and_temporal_functions_parse_with_crs84_geometries_and_intervals()
    {
        var s = (SpatialNode)Cql("S_INTERSECTS(geometry, BBOX(-98.1, 46.9, -98.0, 47.0))");
        Assert.That(s.Relation, Is.EqualTo(SpatialRelation.Intersects));
        Assert.That(s.Geometry.EnvelopeInternal.MinX, Is.EqualTo(-98.1));
        var w = (SpatialNode)Cql("S_WITHIN(footprint, POLYGON((-99 46, -97 46, -97 48, -99 48, -99 46)))");
        Assert.That(w.Relation, Is.EqualTo(SpatialRelation.Within));
        Assert.That(w.Geometry.Area, Is.EqualTo(4).Within(1e-9));
        var crossing = (SpatialNode)Cql("S_INTERSECTS(geometry, BBOX(170, -20, -170, 20))");
        Assert.That(crossing.Geometry.NumGeometries, Is.EqualTo(2), "a box across the antimeridian is split in two");

        var t = (TemporalNode)Cql("T_INTERSECTS(acquired, INTERVAL('2016-01-01', '..'))");
        Assert.That(t.Relation, Is.EqualTo(TemporalRelation.Intersects));
        Assert.That(t.Start, Is.EqualTo(new DateTimeOffset(2016, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(t.End, Is.Null);
        var d = (TemporalNode)Cql("T_DURING(acquired, INTERVAL(DATE('2016-01-01'), DATE('2016-12-31')))");
        Assert.That(d.Relation, Is.EqualTo(TemporalRelation.During));
        Assert.That(d.End, Is.EqualTo(new DateTimeOffset(2017, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(-1)), "a date as the end covers its whole day");
    }

    [TestCase("level = ", 9, "filter ended")]
    [TestCase("level = 0 AND", 14, "property name")]
    [TestCase("level == 0", 8, "value")]
    [TestCase("(level = 0", 11, "')'")]
    [TestCase("scene = 'open", 9, "not closed")]
    [TestCase("level = 0 extra", 11, "unexpected")]
    [TestCase("S_INTERSECTS(geometry, POLYGON((0 0, 1 0)))", 24, "geometry")]
    public void Cql2_syntax_errors_name_the_position(string text, int position, string words)
    {
        var e = Assert.Throws<FilterException>(() => Cql(text))!;
        Assert.That(e.Position, Is.EqualTo(position), e.Message);
        Assert.That(e.Message, Does.Contain(words).And.Contain($"position {position}"));
    }

    [TestCase("acquired > 'abc'", "does not fit property 'acquired'")]
    [TestCase("level = 'zero'", "does not fit property 'level'")]
    [TestCase("level = 1.5", "does not fit property 'level'")]
    [TestCase("scene = 3", "does not fit property 'scene'")]
    [TestCase("cloud_cover < 3", "not a queryable")]
    [TestCase("window = 'x'", "not a queryable")]
    [TestCase("score > 0.2", "only when q")]
    [TestCase("level LIKE '1%'", "text property")]
    [TestCase("geometry = 1", "S_INTERSECTS")]
    [TestCase("T_DURING(level, INTERVAL('2016-01-01', '..'))", "not a time property")]
    public void Cql2_type_mismatches_and_unknown_properties_are_refused(string text, string words)
    {
        var e = Assert.Throws<FilterException>(() => Cql(text))!;
        Assert.That(e.Message, Does.Contain(words));
    }

    private const string Fes = "xmlns:fes=\"http://www.opengis.net/fes/2.0\" xmlns:gml=\"http://www.opengis.net/gml/3.2\"";

    private static FilterNode Fes2(string inner) =>
        WfsFilter.Parse($"<fes:Filter {Fes}>{inner}</fes:Filter>", FeatureSchema.Chips, ranked: false, WfsCrs.Default).Where!;

    [Test]
    public void Fes_comparisons_logic_spatial_and_temporal_operators_parse()
    {
        var node = Fes2("""
            <fes:And>
              <fes:PropertyIsEqualTo><fes:ValueReference>rsgeo:level</fes:ValueReference><fes:Literal>0</fes:Literal></fes:PropertyIsEqualTo>
              <fes:Or>
                <fes:PropertyIsLike wildCard="*" singleChar="." escapeChar="!"><fes:ValueReference>scene</fes:ValueReference><fes:Literal>m_4!*6*</fes:Literal></fes:PropertyIsLike>
                <fes:Not><fes:PropertyIsNull><fes:ValueReference>acquired</fes:ValueReference></fes:PropertyIsNull></fes:Not>
              </fes:Or>
              <fes:PropertyIsBetween><fes:ValueReference>col</fes:ValueReference>
                <fes:LowerBoundary><fes:Literal>1</fes:Literal></fes:LowerBoundary><fes:UpperBoundary><fes:Literal>3</fes:Literal></fes:UpperBoundary></fes:PropertyIsBetween>
              <fes:BBOX><fes:ValueReference>geometry</fes:ValueReference>
                <gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>46.9 -98.1</gml:lowerCorner><gml:upperCorner>47 -98</gml:upperCorner></gml:Envelope></fes:BBOX>
              <fes:During><fes:ValueReference>acquired</fes:ValueReference>
                <gml:TimePeriod gml:id="t"><gml:beginPosition>2016-01-01T00:00:00Z</gml:beginPosition><gml:endPosition>2017-01-01T00:00:00Z</gml:endPosition></gml:TimePeriod></fes:During>
            </fes:And>
            """);
        var parts = ((AndNode)node).Parts;
        Assert.That(parts[0], Is.EqualTo(new CompareNode(P("level"), Comparison.Equal, 0L)));
        var or = (OrNode)parts[1];
        Assert.That(or.Parts[0], Is.EqualTo(new LikeNode(P("scene"), "m\\_4*6%", false)), "FES wildcards become SQL ones, escaped characters literal");
        Assert.That(parts[2], Is.EqualTo(new BetweenNode(P("col"), 1L, 3L)));
        var box = ((SpatialNode)parts[3]).Geometry.EnvelopeInternal;
        Assert.That((box.MinX, box.MinY, box.MaxX, box.MaxY), Is.EqualTo((-98.1, 46.9, -98.0, 47.0)), "EPSG URN corners are latitude first");
        var during = (TemporalNode)parts[4];
        Assert.That(during.Relation, Is.EqualTo(TemporalRelation.During));
        Assert.That(during.Start, Is.EqualTo(new DateTimeOffset(2016, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [TestCase("<fes:PropertyIsEqualTo><fes:ValueReference>cloud</fes:ValueReference><fes:Literal>0</fes:Literal></fes:PropertyIsEqualTo>", "not a queryable")]
    [TestCase("<fes:PropertyIsGreaterThan><fes:ValueReference>acquired</fes:ValueReference><fes:Literal>abc</fes:Literal></fes:PropertyIsGreaterThan>", "does not fit")]
    [TestCase("<fes:Beyond><fes:ValueReference>geometry</fes:ValueReference></fes:Beyond>", "not supported")]
    [TestCase("<fes:PropertyIsEqualTo><fes:ValueReference>level</fes:ValueReference><fes:Literal>0</fes:Literal>", "well-formed")]
    public void Fes_errors_are_ows_exceptions_on_filter(string inner, string words)
    {
        var e = Assert.Throws<OwsException>(() => Fes2(inner))!;
        Assert.That(e.Locator, Is.EqualTo("FILTER"));
        Assert.That(e.Message, Does.Contain(words));
    }

    [Test]
    public void Fes_refuses_dtds_and_entities()
    {
        var xml = $"<!DOCTYPE f [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><fes:Filter {Fes}><fes:PropertyIsEqualTo><fes:ValueReference>scene</fes:ValueReference><fes:Literal>&x;</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>";
        var e = Assert.Throws<OwsException>(() => WfsFilter.Parse(xml, FeatureSchema.Chips, false, WfsCrs.Default))!;
        Assert.That(e.Message, Does.Contain("DTD"));
        Assert.That(e.Message, Does.Not.Contain("root:"));
    }

    [Test]
    public void Sort_keys_read_both_styles_and_ranked_queries_keep_the_score_order()
    {
        var ogc = SortByReader.Parse("-acquired,+level,col", FeatureSchema.Chips, ranked: false)!;
        Assert.That(ogc.Select(k => (k.Property.Name, k.Descending)), Is.EqualTo(new[] { ("acquired", true), ("level", false), ("col", false) }));
        var wfs = SortByReader.Parse("rsgeo:acquired DESC,level A", FeatureSchema.Chips, ranked: false)!;
        Assert.That(wfs.Select(k => (k.Property.Name, k.Descending)), Is.EqualTo(new[] { ("acquired", true), ("level", false) }));
        Assert.That(SortByReader.Parse("-score", FeatureSchema.Chips, ranked: true), Is.Null, "score descending is the ranked order already");
        Assert.Throws<FilterException>(() => SortByReader.Parse("acquired", FeatureSchema.Chips, ranked: true));
        Assert.Throws<FilterException>(() => SortByReader.Parse("nope", FeatureSchema.Chips, ranked: false));
        Assert.Throws<FilterException>(() => SortByReader.Parse("level SIDEWAYS", FeatureSchema.Chips, ranked: false));
    }
}
