using RsGeoSearch.Core;

namespace RsGeoSearch.Changes.Tests;

/// <summary>Normalisation by each place's typical change, on three real NAIP dates (the same grid, a metre apart).</summary>
[TestFixture]
public sealed class NormalisationTests
{
    private BoundingBox _box;

    [OneTimeSetUp]
    public async Task IngestAsync()
    {
        var folder = SharedData.Path("rasters", "naip-north-dakota");
        var files = new[] { "20090818", "20100629", "20120731" }.Select(d => Path.Combine(folder, $"m_4709963_se_14_1_{d}.tif")).ToList();
        await ChangeTestBed.IngestAsync(ChangeTestBed.TinyClip, files, null);
        using var dataset = Raster.RasterDataset.Open(files[0]);
        var env = dataset.Describe().Footprint!.EnvelopeInternal;
        _box = new BoundingBox(env.MinX, env.MinY, env.MaxX, env.MaxY);
    }

    [Test]
    public async Task NormalisedChangeIsTheChangeOverThePlacesMedianSuccessiveChange()
    {
        var all = TimeRange.Create(ChangeTestBed.Day(2009, 1, 1), ChangeTestBed.Day(2012, 12, 31));
        var successive = await ChangeTestBed.Catalog.ChangesAsync(new ChangeQuery(_box, all, Limit: 1000, Pairing: ChangePairing.Consecutive), CancellationToken.None);
        var normalised = await ChangeTestBed.Catalog.ChangesAsync(new ChangeQuery(_box, all, Limit: 1000, Normalise: true), CancellationToken.None);

        // NAIP's dates lie on one grid a metre apart: each place is one grid cell seen three times.
        var byCell = successive.Items.GroupBy(c => (c.After.Col, c.After.Row)).ToDictionary(g => g.Key, g => g.Select(c => c.Change).ToList());
        Assert.That(byCell.Values.All(v => v.Count == 2));
        var sorted = successive.Items.Select(c => c.Change).Order().ToList();
        var areaMedian = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        Assert.That(normalised.Items, Has.Count.EqualTo(byCell.Count));
        foreach (var c in normalised.Items)
        {
            var typical = Math.Max(byCell[(c.After.Col, c.After.Row)].Average(), Math.Max(0.5 * areaMedian, 1e-6));
            Assert.That(c.NormalisedChange, Is.EqualTo(c.Change / typical).Within(1e-9));
            Assert.That(c.Score, Is.EqualTo(c.NormalisedChange));
            Assert.That((c.Before.AcquiredAt!.Value.Year, c.After.AcquiredAt!.Value.Year), Is.EqualTo((2009, 2012)));
        }
        Assert.That(normalised.Items.Select(c => c.Score), Is.Ordered.Descending);
    }
}
