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
    [TestCase("-181,0,1,1", "outside")]
    [TestCase("0,0,1,91", "outside")]
    [TestCase("NaN,0,1,1", "not a number")]
    public void RejectsBadBoxesWithAReason(string text, string reason)
    {
        var e = Assert.Throws<InputException>(() => BoundingBox.Parse(text))!;
        Assert.That(e.Message, Does.Contain(reason));
    }
}
