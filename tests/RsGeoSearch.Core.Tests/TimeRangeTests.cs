using RsGeoSearch.Core;

namespace RsGeoSearch.Core.Tests;

public class TimeRangeTests
{
    [Test]
    public void DateInstantCoversTheWholeDay()
    {
        var r = TimeRange.Parse("2020-08-31");
        Assert.That(r.From, Is.EqualTo(new DateTimeOffset(2020, 8, 31, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(r.Contains(new DateTimeOffset(2020, 8, 31, 23, 0, 0, TimeSpan.Zero)), Is.True);
        Assert.That(r.Contains(new DateTimeOffset(2020, 9, 1, 0, 0, 0, TimeSpan.Zero)), Is.False);
    }

    [Test]
    public void IntervalsMayBeOpenAtEitherEnd()
    {
        Assert.That(TimeRange.Parse("../2015-12-31").From, Is.Null);
        Assert.That(TimeRange.Parse("2015-01-01/..").To, Is.Null);
        Assert.That(TimeRange.Parse("2015-01-01/").To, Is.Null);
        var r = TimeRange.Parse("2015-01-01T00:00:00Z/2016-01-01T12:00:00+02:00");
        Assert.That(r.To, Is.EqualTo(new DateTimeOffset(2016, 1, 1, 10, 0, 0, TimeSpan.Zero)));
    }

    [TestCase("9999-12-31")]
    [TestCase("9999")]
    [TestCase("0001-01-01")]
    public void ExtremeDatesDoNotOverflow(string text)
    {
        var r = TimeRange.Parse(text);
        Assert.That(r.From, Is.LessThan(r.To));
        Assert.That(TimeRange.Parse($"{text}/..").From, Is.EqualTo(r.From));
    }

    [TestCase("2020-13-01")]
    [TestCase("yesterday")]
    [TestCase("2020-01-01/2019-01-01")]
    [TestCase("a/b/c")]
    [TestCase("")]
    public void RejectsMalformedDates(string text) =>
        Assert.Throws<InputException>(() => TimeRange.Parse(text));

    [Test]
    public void TheConstructorRefusesAReversedRangeAndStoresUtc()
    {
        var e = Assert.Throws<InputException>(() => _ = new TimeRange(new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)))!;
        Assert.That(e.Field, Is.EqualTo("datetime"));
        Assert.That(e.Message, Does.Contain("'from' must be before 'to'"));
        var r = new TimeRange(new DateTimeOffset(2020, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)), null);
        Assert.That(r.From!.Value.Offset, Is.EqualTo(TimeSpan.Zero));
        Assert.That(r.From, Is.EqualTo(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(default(TimeRange), Is.EqualTo(TimeRange.All));
    }

    [Test]
    public void FromEndsReadsTwoOptionalEndsNamingTheBadOne()
    {
        var r = TimeRange.FromEnds("2020-01-01", "2020-12-31");
        Assert.That(r.From, Is.EqualTo(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(r.To, Is.EqualTo(new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(-1)));
        Assert.That(TimeRange.FromEnds(null, ".."), Is.EqualTo(TimeRange.All));
        var e = Assert.Throws<InputException>(() => TimeRange.FromEnds("2020-13-01", null, "--from", "--to"))!;
        Assert.That(e.Field, Is.EqualTo("--from"));
        Assert.That(e.Message, Does.StartWith("--from: '2020-13-01' is not a date"));
        Assert.That(Assert.Throws<InputException>(() => TimeRange.FromEnds("2021-01-01", "2020-01-01"))!.Field, Is.EqualTo("datetime"));
    }
}
