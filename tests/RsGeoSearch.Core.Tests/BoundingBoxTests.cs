using RsGeoSearch.Core;

namespace RsGeoSearch.Core.Tests;

public class BoundingBoxTests
{
    [Test]
    public void ParsesFourNumbers()
    {
        var b = BoundingBox.Parse(" -99.5, 47.1 ,-99.4,47.2");
        Assert.That(b, Is.EqualTo(new BoundingBox(-99.5, 47.1, -99.4, 47.2)));
        Assert.That(b.Intersects(new BoundingBox(-99.45, 47.15, -90, 50)), Is.True);
        Assert.That(b.Intersects(new BoundingBox(-98, 47.15, -90, 50)), Is.False);
    }

    [TestCase("1,2,3", "four numbers")]
    [TestCase("a,2,3,4", "'a' is not a number")]
    [TestCase("10,0,5,1", "min > max")]
    [TestCase("0,10,1,5", "min > max")]
    [TestCase("-200,0,-181,1", "outside")]
    [TestCase("0,91,1,95", "outside")]
    [TestCase("47,-100,48,-99", "outside")]
    [TestCase("NaN,0,1,1", "not a number")]
    public void RejectsBadBoxesWithAReason(string text, string reason)
    {
        var e = Assert.Throws<InputException>(() => BoundingBox.Parse(text))!;
        Assert.That(e.Message, Does.Contain(reason));
    }

    [TestCase("-181,0,1,1", -180, 0, 1, 1)]
    [TestCase("0,0,1,91", 0, 0, 1, 90)]
    [TestCase("-250,-100,250,100", -180, -90, 180, 90)]
    public void ABoxReachingPastTheWorldIsCutToIt(string text, double minX, double minY, double maxX, double maxY) =>
        Assert.That(BoundingBox.Parse(text), Is.EqualTo(new BoundingBox(minX, minY, maxX, maxY)));

    [TestCase(-181, 0, 1, 1, "outside")]
    [TestCase(0, 0, 1, 90.5, "outside")]
    [TestCase(2, 0, 1, 1, "min > max")]
    [TestCase(0, 1, 1, 0, "min > max")]
    [TestCase(double.NaN, 0, 1, 1, "not a number")]
    [TestCase(0, 0, double.PositiveInfinity, 1, "not a number")]
    public void TheConstructorRefusesEveryInvalidBox(double minX, double minY, double maxX, double maxY, string reason)
    {
        var e = Assert.Throws<InputException>(() => _ = new BoundingBox(minX, minY, maxX, maxY))!;
        Assert.That(e.Field, Is.EqualTo("bbox"));
        Assert.That(e.Message, Does.Contain(reason));
        Assert.Throws<InputException>(() => BoundingBox.Create(minX, minY, maxX, maxY));
    }

    [Test]
    public void DefaultIsAValidPointAndEqualityIsByValue()
    {
        Assert.That(default(BoundingBox), Is.EqualTo(new BoundingBox(0, 0, 0, 0)));
        Assert.That(new BoundingBox(1, 2, 3, 4).GetHashCode(), Is.EqualTo(new BoundingBox(1, 2, 3, 4).GetHashCode()));
        Assert.That(BoundingBox.World.ToString(), Is.EqualTo("-180,-90,180,90"));
    }

    [TestCase("1,2,3,4,5,6", 6)]
    [TestCase("1,2,3,4", 4)]
    public void ParseNumbersTakesTheCountsItIsGiven(string text, int count) =>
        Assert.That(BoundingBox.ParseNumbers(text, 4, 6), Has.Length.EqualTo(count));

    [Test]
    public void ParseNumbersNamesTheCountsAndTheBadPart()
    {
        Assert.That(Assert.Throws<InputException>(() => BoundingBox.ParseNumbers("1,2,3", 4, 6))!.Message, Does.Contain("4 or 6 numbers"));
        Assert.That(Assert.Throws<InputException>(() => BoundingBox.ParseNumbers("1,2,x,4", 4))!.Message, Does.Contain("'x' is not a number"));
    }
}
