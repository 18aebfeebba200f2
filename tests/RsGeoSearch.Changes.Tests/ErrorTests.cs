using RsGeoSearch.Core;

namespace RsGeoSearch.Changes.Tests;

/// <summary>Bad date ranges and areas without imagery give clear errors, in the catalogue and on the command line.</summary>
[TestFixture]
public sealed class ErrorTests
{
    private static readonly BoundingBox Pacific = new(-150, -10, -149, -9);

    [Test]
    public void ReversedDateRangeIsRejected()
    {
        var e = Assert.ThrowsAsync<InputException>(() => ChangeTestBed.Catalog.ChangesAsync(
            new ChangeQuery(Pacific, new TimeRange(ChangeTestBed.Day(2020, 1, 1), ChangeTestBed.Day(2019, 1, 1))), CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("'from' must be before 'to'"));
    }

    [Test]
    public void AnAreaWithoutImageryIsRejected()
    {
        var e = Assert.ThrowsAsync<InsufficientImageryException>(() => ChangeTestBed.Catalog.ChangesAsync(new ChangeQuery(Pacific), CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("no imagery").And.Contain("-150,-10,-149,-9"));
    }

    [Test]
    public async Task ASingleDateIsRejectedNamingIt()
    {
        var box = new BoundingBox(-99.3, 46.9, -98.9, 47.2);
        var folder = SharedData.Path("rasters", "naip-north-dakota");
        await ChangeTestBed.IngestAsync(ChangeTestBed.TinyClip, [Path.Combine(folder, "m_4709963_se_14_1_20090818.tif")], null);
        var e = Assert.ThrowsAsync<InsufficientImageryException>(() => ChangeTestBed.Catalog.ChangesAsync(
            new ChangeQuery(box, TimeRange.Create(ChangeTestBed.Day(2009, 8, 1), ChangeTestBed.Day(2009, 8, 31))), CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("only one acquisition (2009-08-18)"));
    }

    [Test]
    public void TextAndFromToTextTogetherAreRejected()
    {
        var e = Assert.ThrowsAsync<InputException>(() => ChangeTestBed.Catalog.ChangesAsync(
            new ChangeQuery(Pacific, Text: "flooding", ToText: "water"), CancellationToken.None));
        Assert.That(e!.Message, Does.Contain("not both"));
    }

    [TestCase("2020-13-45", "2021-01-01", "--from: '2020-13-45' is not a date")]
    [TestCase("2021-01-01", "yesterday", "--to: 'yesterday' is not a date")]
    [TestCase("2021-06-01", "2020-01-01", "--from 2021-06-01 is not before --to 2020-01-01")]
    public void TheCommandLineNamesTheBadDate(string from, string to, string message)
    {
        var (code, _, err) = ChangeTestBed.Run("dotnet", Path.Combine(AppContext.BaseDirectory, "rsgeo.dll"), "changes",
            "--bbox=-99.3,46.9,-98.9,47.2", "--from", from, "--to", to, "--data-dir", Path.Combine(ChangeTestBed.Root, "no-db"));
        Assert.That(code, Is.EqualTo(2), err);
        Assert.That(err, Does.StartWith("rsgeo changes: error:").And.Contain(message));
        Assert.That(Directory.Exists(Path.Combine(ChangeTestBed.Root, "no-db")), Is.False, "rejected before touching a database");
    }

    [Test]
    public void TheCommandLineRejectsABadBox()
    {
        var (code, _, err) = ChangeTestBed.Run("dotnet", Path.Combine(AppContext.BaseDirectory, "rsgeo.dll"), "changes",
            "--bbox=10,10,5,5", "--data-dir", Path.Combine(ChangeTestBed.Root, "no-db"));
        Assert.That(code, Is.EqualTo(2), err);
        Assert.That(err, Does.Contain("min > max"));
    }
}
