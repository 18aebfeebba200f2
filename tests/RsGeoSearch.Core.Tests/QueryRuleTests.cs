using RsGeoSearch.Core;

namespace RsGeoSearch.Core.Tests;

/// <summary>The search and change rules, once, in the Core request types: no constructor (nor <c>with</c>) builds an invalid query.</summary>
public class QueryRuleTests
{
    private static InputException Refused(Func<object> build) => Assert.Throws<InputException>(() => build())!;

    [TestCase(0, "limit", "at least 1")]
    [TestCase(CatalogQuery.MaxLimit + 1, "limit", "at most 10000")]
    public void LimitIsOneToTheMaximum(int limit, string field, string words)
    {
        var e = Refused(() => new CatalogQuery(Text: "x", Limit: limit));
        Assert.That((e.Field, e.Message.Contains(words)), Is.EqualTo((field, true)), e.Message);
        Assert.That(Refused(() => new CatalogQuery(Text: "x") with { Limit = limit }).Field, Is.EqualTo("limit"), "with cannot bypass it");
        Assert.That(new CatalogQuery(Text: "x", Limit: CatalogQuery.MaxLimit).Limit, Is.EqualTo(CatalogQuery.MaxLimit));
    }

    [Test]
    public void EachFieldKeepsItsRange()
    {
        Assert.That(Refused(() => new CatalogQuery(Text: "x", Offset: -1)).Field, Is.EqualTo("offset"));
        Assert.That(Refused(() => new CatalogQuery(Text: "x", Offset: CatalogQuery.MaxOffset + 1)).Field, Is.EqualTo("offset"));
        Assert.That(Refused(() => new CatalogQuery(Text: "x", MinScore: 1.01)).Message, Does.StartWith("min_score"));
        Assert.That(Refused(() => new CatalogQuery(Text: "x", MinScore: double.NaN)).Field, Is.EqualTo("min_score"));
        Assert.That(Refused(() => new CatalogQuery(Text: "x", MinRelevance: -0.1)).Message, Does.StartWith("min_relevance"));
        Assert.That(Refused(() => new CatalogQuery(Text: "x", MinRelevance: double.NaN)).Field, Is.EqualTo("min_relevance"));
        Assert.That(Refused(() => new CatalogQuery(Text: new string('a', 1001))).Message, Does.Contain("1001 characters"));
        Assert.That(new CatalogQuery(Text: " " + new string('a', 1000) + " ").Text, Has.Length.EqualTo(1002), "length counts the trimmed text");
    }

    [Test]
    public void ExampleChipsArePositiveDistinctAndAtMostAHundred()
    {
        Assert.That(Refused(() => new CatalogQuery(Like: [0])).Message, Does.Contain("not a chip id"));
        Assert.That(Refused(() => new CatalogQuery(Like: [1], Unlike: [-4])).Field, Is.EqualTo("unlike"));
        Assert.That(Refused(() => new CatalogQuery(Like: [.. Enumerable.Range(1, 101).Select(i => (long)i)])).Message, Does.Contain("at most 100"));
        Assert.That(new CatalogQuery(Like: [3, 3, 4]).Like, Is.EqualTo(new long[] { 3, 4 }));
    }

    [Test]
    public void NegativeTermsAreTrimmedNonEmptyAndAtMostTwenty()
    {
        Assert.That(new CatalogQuery(Text: "x", Not: [" clouds ", "haze"]).Not, Is.EqualTo(new[] { "clouds", "haze" }));
        Assert.That(Refused(() => new CatalogQuery(Text: "x", Not: ["clouds", " "])).Message, Does.StartWith("not:"));
        Assert.That(Refused(() => new CatalogQuery(Text: "x", Not: [])).Field, Is.EqualTo("not"));
        Assert.That(Refused(() => new CatalogQuery(Text: "x", Not: [.. Enumerable.Range(0, 21).Select(i => $"t{i}")])).Message, Does.Contain("at most 20"));
        Assert.That(Refused(() => new CatalogQuery(Text: "x", Not: [new string('a', 1001)])).Message, Does.Contain("longer than 1000"));
    }

    [TestCase("unlike")]
    [TestCase("not")]
    [TestCase("min_relevance")]
    [TestCase("group")]
    public void WhatPushesARankingNeedsOne(string field)
    {
        CatalogQuery Build(string? text) => field switch
        {
            "unlike" => new CatalogQuery(Text: text, Unlike: [2]),
            "not" => new CatalogQuery(Text: text, Not: ["clouds"]),
            "min_relevance" => new CatalogQuery(Text: text, MinRelevance: 0.3),
            _ => new CatalogQuery(Text: text, Group: SearchGrouping.Place),
        };
        var e = Refused(() => Build(null));
        Assert.That(e.Field, Is.EqualTo(field));
        Assert.That(e.Message, Does.Contain($"'{field}").And.Contain("needs a ranked search"));
        Assert.That(Refused(() => Build("  ")).Field, Is.EqualTo(field), "blank text is no text");
        Assert.That(Build("farmland").IsRanked, Is.True);
        Assert.That(new CatalogQuery(Like: [1], Unlike: [2]).IsRanked, Is.True, "like ranks too");
        Assert.That(new CatalogQuery(Image: [1, 2, 3], Unlike: [2]).IsRanked, Is.True, "an image ranks too");
    }

    [Test]
    public void ChangeRulesAreChecked()
    {
        var box = new BoundingBox(10, 45, 11, 46);
        Assert.That(Refused(() => new ChangeQuery(box, Limit: 0)).Field, Is.EqualTo("limit"));
        Assert.That(Refused(() => new ChangeQuery(box, Limit: ChangeQuery.MaxLimit + 1)).Message, Does.Contain("at most 1000"));
        Assert.That(Refused(() => new ChangeQuery(box, Offset: ChangeQuery.MaxOffset + 1)).Field, Is.EqualTo("offset"));
        Assert.That(Refused(() => new ChangeQuery(box, MinIoU: 0)).Message, Does.Contain("between 0.01 and 1"));
        Assert.That(Refused(() => new ChangeQuery(box, MinIoU: double.NaN)).Field, Is.EqualTo("iou"));
        Assert.That(Refused(() => new ChangeQuery(box, Text: "flood", ToText: "water")).Message, Does.Contain("not both"));
        Assert.That(Refused(() => new ChangeQuery(box, FromText: new string('a', 1001))).Field, Is.EqualTo("from_q"));
        var instant = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.That(Refused(() => new ChangeQuery(box, new TimeRange(instant, instant))).Message, Does.Contain("'from' must be before 'to'"));
        Assert.That(Refused(() => new ChangeQuery(box) with { Limit = 0 }).Field, Is.EqualTo("limit"), "with cannot bypass it");
        var q = new ChangeQuery(box, Text: "  flooding ", FromText: " ");
        Assert.That((q.Text, q.FromText, q.IsTextGuided), Is.EqualTo(("flooding", (string?)null, true)), "texts trimmed, blank ones null");
    }
}
