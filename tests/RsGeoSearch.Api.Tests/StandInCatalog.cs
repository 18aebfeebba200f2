using NetTopologySuite.Geometries;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Tests;

/// <summary>
/// A small in-memory catalogue used only while the real one (RsGeoSearch.Pipeline.Catalog) does not exist:
/// 3 scenes of 8 chips each near Fargo, ND, acquired 2020-06-01, 2021-06-01 and 2022-06-01. Scores are a
/// deterministic function of text and chip id.
/// </summary>
public sealed class StandInCatalog : IChipCatalog
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);
    private readonly List<SceneRecord> scenes = [];
    private readonly List<ChipRecord> chips = [];

    public StandInCatalog()
    {
        for (var s = 0; s < 3; s++)
        {
            var acquired = new DateTimeOffset(2020 + s, 6, 1, 17, 0, 0, TimeSpan.Zero);
            var x0 = -97.0 + s * 0.1;
            const double y0 = 46.8;
            scenes.Add(new SceneRecord(s + 1, $"/data/rasters/scene_{s + 1}.tif", acquired, AcquisitionSource.Metadata,
                Box(x0, y0, x0 + 0.08, y0 + 0.04), "EPSG:26914", 1024, 512, 3, 8));
            for (var i = 0; i < 8; i++)
            {
                int col = i % 4, row = i / 4;
                chips.Add(new ChipRecord(s * 8 + i + 1, s + 1, $"/data/rasters/scene_{s + 1}.tif", 0, col, row,
                    new PixelWindow(col * 256, row * 256, 256, 256),
                    Box(x0 + col * 0.02, y0 + 0.04 - (row + 1) * 0.02, x0 + (col + 1) * 0.02, y0 + 0.04 - row * 0.02), acquired, 0));
            }
        }
    }

    public bool Available { get; set; } = true;

    public IReadOnlyList<ModelSummary> Models { get; } = [new("rsgeo-mini", "rsgeo", 256, true)];

    public Task<ChipPage> SearchAsync(CatalogQuery query, CancellationToken ct)
    {
        Ensure();
        if (query.Model is not null && Models.All(m => m.Name != query.Model)) throw new NotFoundException($"model '{query.Model}' is not installed");
        var filtered = chips.Where(c => (query.Bbox is null || Envelope(c.Footprint!).Intersects(query.Bbox.Value))
                                        && (query.Time.IsUnbounded || c.AcquiredAt is { } t && query.Time.Contains(t))).ToList();
        List<ScoredChip> ranked;
        if (query.IsRanked)
        {
            var key = query.Text ?? string.Join(',', query.Like ?? []);
            ranked = filtered.Where(c => query.Like is null || !query.Like.Contains(c.Id))
                .Select(c => new ScoredChip(c, Score(key, c.Id)))
                .Where(h => query.MinScore is null || h.Score >= query.MinScore)
                .OrderByDescending(h => h.Score).ThenBy(h => h.Chip.Id).ToList();
        }
        else ranked = filtered.OrderBy(c => c.Id).Select(c => new ScoredChip(c, null)).ToList();
        return Task.FromResult(new ChipPage(ranked.Skip(query.Offset).Take(query.Limit).ToList(), ranked.Count, query.Model ?? "rsgeo-mini"));
    }

    public Task<ChipRecord?> GetChipAsync(long id, CancellationToken ct) { Ensure(); return Task.FromResult(chips.FirstOrDefault(c => c.Id == id)); }

    public Task<(IReadOnlyList<SceneRecord> Items, long NumberMatched)> ListScenesAsync(BoundingBox? bbox, TimeRange time, int limit, int offset, CancellationToken ct)
    {
        Ensure();
        var all = scenes.Where(s => (bbox is null || Envelope(s.Footprint!).Intersects(bbox.Value)) && (time.IsUnbounded || time.Contains(s.AcquiredAt!.Value))).ToList();
        return Task.FromResult(((IReadOnlyList<SceneRecord>)all.Skip(offset).Take(limit).ToList(), (long)all.Count));
    }

    public Task<SceneRecord?> GetSceneAsync(long id, CancellationToken ct) { Ensure(); return Task.FromResult(scenes.FirstOrDefault(s => s.Id == id)); }

    public Task<CatalogExtent> GetExtentAsync(CancellationToken ct)
    {
        Ensure();
        return Task.FromResult(new CatalogExtent(new BoundingBox(-97.0, 46.8, -96.72, 46.84), scenes[0].AcquiredAt, scenes[^1].AcquiredAt,
            scenes.Select(s => DateOnly.FromDateTime(s.AcquiredAt!.Value.UtcDateTime)).ToList(), scenes.Count, chips.Count));
    }

    public Task<byte[]> RenderChipPngAsync(long chipId, int size, CancellationToken ct)
    {
        Ensure();
        if (chips.All(c => c.Id != chipId)) throw new NotFoundException($"chip {chipId} does not exist");
        return Task.FromResult(TinyPng);
    }

    public Task<IReadOnlyList<LabelScore>> ClassifyAsync(byte[] image, IReadOnlyList<string> labels, string? template, string? model, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<LabelScore>>(labels.Select(l => new LabelScore(l, (Score(l, image.Length) + 1) / 2, Score(l, image.Length)))
            .OrderByDescending(s => s.Score).ToList());

    public Task<IReadOnlyList<LabelScore>> SimilarityAsync(byte[] image, IReadOnlyList<string> texts, string? model, CancellationToken ct) =>
        ClassifyAsync(image, texts, null, model, ct);

    public Task<float[]> EmbedImageAsync(byte[] image, string? model, CancellationToken ct)
    {
        var v = Enumerable.Range(0, 256).Select(i => (float)Math.Sin(i + image.Length)).ToArray();
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return Task.FromResult(v.Select(x => x / norm).ToArray());
    }

    public Task<bool> IsAvailableAsync(CancellationToken ct) => Task.FromResult(Available);

    /// <summary>A valid 1x1 PNG.</summary>
    public static readonly byte[] TinyPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private void Ensure()
    {
        if (!Available) throw new ServiceUnavailableException("the database does not answer", TimeSpan.FromSeconds(7));
    }

    private static double Score(string key, long id)
    {
        var h = (uint)(key.Aggregate(17, (a, ch) => a * 31 + ch) ^ (int)(id * 2654435761L));
        return Math.Round((h % 10000) / 10000.0 * 0.6 - 0.1, 4);
    }

    private static Polygon Box(double minX, double minY, double maxX, double maxY) =>
        Factory.CreatePolygon([new(minX, minY), new(maxX, minY), new(maxX, maxY), new(minX, maxY), new(minX, minY)]);

    private static BoundingBox Envelope(Polygon p) =>
        new(p.EnvelopeInternal.MinX, p.EnvelopeInternal.MinY, p.EnvelopeInternal.MaxX, p.EnvelopeInternal.MaxY);
}
