using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;

namespace RsGeoSearch.Changes.Tests;

/// <summary>Pairing and scores on real rasters (<see cref="LandsatTwins"/>): the same grid, another grid, text guidance.</summary>
[TestFixture]
public sealed class PairingTests
{
    private static readonly TimeRange First = TimeRange.Create(ChangeTestBed.Day(2031, 1, 1), ChangeTestBed.Day(2032, 12, 31));
    private static readonly TimeRange Second = TimeRange.Create(ChangeTestBed.Day(2032, 1, 1), ChangeTestBed.Day(2033, 12, 31));
    private BoundingBox _box;
    private long _chipsPerScene;

    [OneTimeSetUp]
    public async Task IngestAsync() => (_box, _chipsPerScene) = await LandsatTwins.GetAsync();

    [Test]
    public async Task IdenticalImagesOnTwoDatesGiveAChangeNearZero()
    {
        var result = await ChangeTestBed.Catalog.ChangesAsync(new ChangeQuery(_box, First, Limit: 1000), CancellationToken.None);

        Assert.That(result.Dates, Is.EqualTo(new[] { new DateOnly(2031, 3, 1), new DateOnly(2032, 3, 1) }));
        Assert.That(result.PlacesCompared, Is.EqualTo(_chipsPerScene), "every chip pairs with its twin on the same grid");
        Assert.That(result.Items, Has.Count.EqualTo(_chipsPerScene));
        foreach (var c in result.Items)
        {
            Assert.That(c.Change, Is.LessThan(1e-5), $"chips {c.Before.Id} -> {c.After.Id}");
            Assert.That(c.Iou, Is.EqualTo(1).Within(1e-9));
            Assert.That((c.Before.Col, c.Before.Row, c.Before.Window), Is.EqualTo((c.After.Col, c.After.Row, c.After.Window)));
            Assert.That(c.Before.AcquiredAt!.Value, Is.LessThan(c.After.AcquiredAt!.Value));
        }
    }

    [Test]
    public async Task ChipsOfAnotherGridPairByFootprintOverlap()
    {
        // An 8 px shift of 64 px chips: IoU = 56² / (2·64² − 56²) = 0.62 for the matching cell, < 0.25 for its neighbours.
        var result = await ChangeTestBed.Catalog.ChangesAsync(new ChangeQuery(_box, Second, Limit: 1000), CancellationToken.None);
        Assert.That(result.Items, Is.Not.Empty);
        foreach (var c in result.Items)
        {
            // Cells at the right and bottom edges are partial (the shifted raster is 8 px smaller): larger IoU there.
            var full = c.Before.Window.Width == 64 && c.Before.Window.Height == 64 && c.After.Window.Width == 64 && c.After.Window.Height == 64;
            if (full) Assert.That(c.Iou, Is.EqualTo(56.0 * 56 / (2 * 64 * 64 - 56 * 56)).Within(0.005));
            else Assert.That(c.Iou, Is.InRange(0.5, 0.8));
            Assert.That(c.After.Col, Is.EqualTo(c.Before.Col));
            Assert.That(c.After.Row, Is.EqualTo(c.Before.Row));
            Assert.That(c.Change, Is.GreaterThan(0), "shifted pixels embed differently");
        }
        Assert.That(result.Items.Select(c => c.After.Id).Distinct().Count(), Is.EqualTo(result.Items.Count), "one earlier partner per chip");

        var strict = await ChangeTestBed.Catalog.ChangesAsync(new ChangeQuery(_box, Second, MinIoU: 0.75), CancellationToken.None);
        Assert.That(strict.Items, Is.Empty, "no chip of the other grid overlaps with IoU >= 0.75 (the largest, at the corner, has 0.74)");
        Assert.That(strict.PlacesCompared, Is.Zero);
    }

    [Test]
    public async Task SpanComparesTheFirstAndLastDateOfEachPlace()
    {
        var all = TimeRange.Create(ChangeTestBed.Day(2031, 1, 1), ChangeTestBed.Day(2033, 12, 31));
        var span = await ChangeTestBed.Catalog.ChangesAsync(new ChangeQuery(_box, all, Limit: 1000), CancellationToken.None);
        Assert.That(span.Items.Select(c => (c.Before.AcquiredAt!.Value.Year, c.After.AcquiredAt!.Value.Year)).Distinct(),
            Is.EquivalentTo(new[] { (2031, 2033) }));

        var consecutive = await ChangeTestBed.Catalog.ChangesAsync(new ChangeQuery(_box, all, Limit: 1000, Pairing: ChangePairing.Consecutive), CancellationToken.None);
        Assert.That(consecutive.Items.Select(c => (c.Before.AcquiredAt!.Value.Year, c.After.AcquiredAt!.Value.Year)).Distinct(),
            Is.EquivalentTo(new[] { (2031, 2032), (2032, 2033) }));
    }

    [Test]
    public async Task ToTextRanksByHowFarTheLaterChipMovedTowardsIt()
    {
        var result = await ChangeTestBed.Catalog.ChangesAsync(new ChangeQuery(_box, Second, Text: "a river", Limit: 1000), CancellationToken.None);
        var model = ChangeTestBed.Models.Get(ChangeTestBed.TinyClip);
        var q = QueryVector.FromText(model, "a river");
        var embeddings = await ChangeTestBed.Store.Chips.GetEmbeddingsAsync(model.Name, result.Items.SelectMany(c => new[] { c.Before.Id, c.After.Id }).ToArray());
        Assert.That(result.Items, Is.Not.Empty);
        foreach (var c in result.Items)
        {
            var expected = Similarity.Cosine(embeddings[c.After.Id], q) - Similarity.Cosine(embeddings[c.Before.Id], q);
            Assert.That(c.TextScore, Is.EqualTo(expected).Within(1e-4));
            Assert.That(c.Score, Is.EqualTo(c.TextScore));
        }
        Assert.That(result.Items.Select(c => c.Score), Is.Ordered.Descending);
    }

    [Test]
    public async Task FromAndToTextRankByTheProbabilityOfBothDates()
    {
        var result = await ChangeTestBed.Catalog.ChangesAsync(new ChangeQuery(_box, Second, FromText: "forest", ToText: "buildings", Limit: 1000), CancellationToken.None);
        var model = ChangeTestBed.Models.Get(ChangeTestBed.TinyClip);
        var from = QueryVector.FromText(model, "forest");
        var to = QueryVector.FromText(model, "buildings");
        var embeddings = await ChangeTestBed.Store.Chips.GetEmbeddingsAsync(model.Name, result.Items.SelectMany(c => new[] { c.Before.Id, c.After.Id }).ToArray());
        foreach (var c in result.Items)
        {
            var before = Similarity.Probabilities(model.Scoring, [Similarity.Cosine(embeddings[c.Before.Id], from), Similarity.Cosine(embeddings[c.Before.Id], to)]);
            var after = Similarity.Probabilities(model.Scoring, [Similarity.Cosine(embeddings[c.After.Id], from), Similarity.Cosine(embeddings[c.After.Id], to)]);
            Assert.That(c.TextScore, Is.EqualTo(before[0] * after[1]).Within(1e-4));
            Assert.That(c.Score, Is.InRange(0, 1));
        }
        Assert.That(result.Items.Select(c => c.Score), Is.Ordered.Descending);
    }
}
