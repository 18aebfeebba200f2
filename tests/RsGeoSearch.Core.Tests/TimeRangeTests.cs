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
}
