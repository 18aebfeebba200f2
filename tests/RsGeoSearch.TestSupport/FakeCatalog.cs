using NetTopologySuite.Geometries;
using RsGeoSearch.Core;

namespace RsGeoSearch.TestSupport;

/// <summary>
/// An in-memory <see cref="IChipCatalog"/> for fast tests of HTTP parameters and formats (no database, GDAL or
/// ONNX): two scenes on two dates, six chips each on a 0.1° grid near (10°E, 45°N), and a few undated chips. It
/// filters by bbox and time, pages by limit/offset and ranks ranked searches by a fixed score, and records the last
/// query of each kind it was given, so a test can check what the HTTP layer read. Everything the real catalogue does
/// with embeddings, SQL and rasters is out of its scope: real-database tests cover those.
/// </summary>
public sealed class FakeCatalog : IChipCatalog
{
    public const string ModelName = "fake-model";
    private static readonly GeometryFactory Geometry = new(new PrecisionModel(), 4326);

    public FakeCatalog()
    {
        var dates = new[] { new DateTimeOffset(2019, 6, 1, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2021, 6, 1, 10, 0, 0, TimeSpan.Zero) };
        var chips = new List<ChipRecord>();
        var scenes = new List<SceneRecord>();
        for (var s = 0; s < 3; s++)
        {
            DateTimeOffset? date = s < dates.Length ? dates[s] : null;
            var sceneId = s + 1;
            var uri = $"/data/scene-{sceneId}.tif";
            for (var i = 0; i < 6; i++)
            {
                var (col, row) = (i % 3, i / 3);
                chips.Add(new ChipRecord(chips.Count + 1, sceneId, uri, 0, col, row, new PixelWindow(col * 256, row * 256, 256, 256),
                    Box(10 + col * 0.1, 45 + row * 0.1, 10.1 + col * 0.1, 45.1 + row * 0.1), date, 0));
            }
            scenes.Add(new SceneRecord(sceneId, uri, date, date is null ? AcquisitionSource.Unknown : AcquisitionSource.Metadata,
                Box(10, 45, 10.3, 45.2), "EPSG:4326", 768, 512, 3, 6));
        }
        Chips = chips;
        Scenes = scenes;
    }

    /// <summary>Every chip, ids 1..18: scene 1 (2019-06-01), scene 2 (2021-06-01), scene 3 (undated).</summary>
    public IReadOnlyList<ChipRecord> Chips { get; }

    public IReadOnlyList<SceneRecord> Scenes { get; }

    /// <summary>The last query given to <see cref="SearchAsync"/> (null before the first).</summary>
    public CatalogQuery? LastSearch { get; private set; }

    public ChangeQuery? LastChanges { get; private set; }

    /// <summary>The last arguments of <see cref="ListScenesAsync"/>.</summary>
    public (BoundingBox? Bbox, TimeRange Time, int Limit, int Offset)? LastSceneList { get; private set; }

    /// <summary>How many calls reached the catalogue (a request refused by the HTTP layer adds none).</summary>
    public int Calls { get; private set; }

    public IReadOnlyList<ModelSummary> Models { get; } = [new(ModelName, "clip", 8, true)];

    public Task<ChipPage> SearchAsync(CatalogQuery query, CancellationToken ct)
    {
        Calls++;
        LastSearch = query;
        var matching = Chips.Where(c => Matches(c.Footprint, c.AcquiredAt, query.Bbox, query.Time)).ToList();
        if (!query.IsRanked)
            return Task.FromResult(new ChipPage(Page(matching, query.Offset, query.Limit).Select(c => new ScoredChip(c, null)).ToList(), matching.Count, query.Model ?? ModelName));
        // Ranked: a fixed score falling with the id, so "best first" is ascending id; min_score filters on it.
        var scored = matching.Select(c => new ScoredChip(c, 1.0 - c.Id / 100.0, 0.9 - c.Id / 100.0))
            .Where(s => query.MinScore is not { } min || s.Score >= min).ToList();
        var info = new SearchInfo("exact", null, null, query.MinRelevance, query.Group == SearchGrouping.Place ? "place" : "chip");
        return Task.FromResult(new ChipPage(Page(scored, query.Offset, query.Limit).ToList(), scored.Count, query.Model ?? ModelName, info));
    }

    public Task<ChipRecord?> GetChipAsync(long id, CancellationToken ct)
    {
        Calls++;
        return Task.FromResult(Chips.FirstOrDefault(c => c.Id == id));
    }

    public Task<(IReadOnlyList<SceneRecord> Items, long NumberMatched)> ListScenesAsync(BoundingBox? bbox, TimeRange time, int limit, int offset, CancellationToken ct,
        Core.Filtering.FilterNode? where = null, IReadOnlyList<Core.Filtering.SortClause>? sortBy = null)
    {
        Calls++;
        LastSceneList = (bbox, time, limit, offset);
        var matching = Scenes.Where(s => Matches(s.Footprint, s.AcquiredAt, bbox, time)).ToList();
        return Task.FromResult<(IReadOnlyList<SceneRecord>, long)>((Page(matching, offset, limit).ToList(), matching.Count));
    }

    public Task<SceneRecord?> GetSceneAsync(long id, CancellationToken ct)
    {
        Calls++;
        return Task.FromResult(Scenes.FirstOrDefault(s => s.Id == id));
    }

    public Task<CatalogExtent> GetExtentAsync(CancellationToken ct) =>
        Task.FromResult(new CatalogExtent(new BoundingBox(10, 45, 10.3, 45.2), Scenes[0].AcquiredAt, Scenes[1].AcquiredAt,
            [DateOnly.FromDateTime(Scenes[0].AcquiredAt!.Value.UtcDateTime), DateOnly.FromDateTime(Scenes[1].AcquiredAt!.Value.UtcDateTime)],
            Scenes.Count, Chips.Count));

    public Task<byte[]> RenderChipPngAsync(long chipId, int size, CancellationToken ct) =>
        throw new NotSupportedException("the fake catalogue renders no chips; use the real catalogue (IngestedCatalog)");

    public Task<IReadOnlyList<LabelScore>> ClassifyAsync(byte[] image, IReadOnlyList<string> labels, string? template, string? model, CancellationToken ct) =>
        throw new NotSupportedException("the fake catalogue has no encoder");

    public Task<IReadOnlyList<LabelScore>> SimilarityAsync(byte[] image, IReadOnlyList<string> texts, string? model, CancellationToken ct) =>
        throw new NotSupportedException("the fake catalogue has no encoder");

    public Task<float[]> EmbedImageAsync(byte[] image, string? model, CancellationToken ct) =>
        throw new NotSupportedException("the fake catalogue has no encoder");

    /// <summary>Records the query and answers one change per place of scene 1 → scene 2 inside the box (score falling with the chip id).</summary>
    public Task<ChangeResult> ChangesAsync(ChangeQuery query, CancellationToken ct)
    {
        Calls++;
        LastChanges = query;
        var before = Chips.Where(c => c.SceneId == 1 && Matches(c.Footprint, c.AcquiredAt, query.Bbox, query.Time)).ToList();
        var pairs = before
            .Select(b => (Before: b, After: Chips.FirstOrDefault(a => a.SceneId == 2 && a.Col == b.Col && a.Row == b.Row && Matches(a.Footprint, a.AcquiredAt, query.Bbox, query.Time))))
            .Where(p => p.After is not null)
            .Select(p => new ChangeRecord(p.Before, p.After!, 0.5 - p.Before.Id / 100.0, 0.5 - p.Before.Id / 100.0, null, null, 1, p.After!.Footprint))
            .ToList();
        var dates = pairs.Count == 0 ? [] : new[] { p(Scenes[0]), p(Scenes[1]) };
        return Task.FromResult(new ChangeResult(Page(pairs, query.Offset, query.Limit).ToList(), pairs.Count, dates, query.Model ?? ModelName));

        static DateOnly p(SceneRecord s) => DateOnly.FromDateTime(s.AcquiredAt!.Value.UtcDateTime);
    }

    public Task<CatalogHealth> CheckHealthAsync(CancellationToken ct) => Task.FromResult(new CatalogHealth(true));

    private static IEnumerable<T> Page<T>(IEnumerable<T> items, int offset, int limit) => items.Skip(offset).Take(limit);

    private static bool Matches(Polygon? footprint, DateTimeOffset? acquired, BoundingBox? bbox, TimeRange time)
    {
        if (bbox is { } b)
        {
            if (footprint is null) return false;
            var e = footprint.EnvelopeInternal;
            if (!b.Intersects(new BoundingBox(e.MinX, e.MinY, e.MaxX, e.MaxY))) return false;
        }
        if (time.IsUnbounded) return true;
        return acquired is { } t && time.Contains(t);
    }

    private static Polygon Box(double minX, double minY, double maxX, double maxY) => (Polygon)Geometry.ToGeometry(new Envelope(minX, maxX, minY, maxY));
}
