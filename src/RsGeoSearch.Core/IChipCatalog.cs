namespace RsGeoSearch.Core;

/// <summary>
/// The one narrow interface between the HTTP layer and everything behind it (models, database, rasters).
/// Bad input throws <see cref="InputException"/>, a missing chip/scene/model <see cref="NotFoundException"/>,
/// a database that is down <see cref="ServiceUnavailableException"/>.
/// </summary>
public interface IChipCatalog
{
    IReadOnlyList<ModelSummary> Models { get; }

    /// <summary>Ranked search (text, image or example chips) or, with none of them, chips in the filter listed by id.</summary>
    Task<ChipPage> SearchAsync(CatalogQuery query, CancellationToken ct);

    Task<ChipRecord?> GetChipAsync(long id, CancellationToken ct);

    /// <summary>Scenes in the box and time range passing <paramref name="where"/>, ordered by <paramref name="sortBy"/> then id.</summary>
    Task<(IReadOnlyList<SceneRecord> Items, long NumberMatched)> ListScenesAsync(BoundingBox? bbox, TimeRange time, int limit, int offset, CancellationToken ct,
        Filtering.FilterNode? where = null, IReadOnlyList<Filtering.SortClause>? sortBy = null);

    Task<SceneRecord?> GetSceneAsync(long id, CancellationToken ct);

    Task<CatalogExtent> GetExtentAsync(CancellationToken ct);

    /// <summary>A PNG of the chip rendered from its source raster, at most <paramref name="size"/> pixels on a side.</summary>
    Task<byte[]> RenderChipPngAsync(long chipId, int size, CancellationToken ct);

    /// <summary>Zero-shot classification of an encoded image (PNG, JPEG, GeoTIFF ... bytes) over labels, best first.</summary>
    Task<IReadOnlyList<LabelScore>> ClassifyAsync(byte[] image, IReadOnlyList<string> labels, string? template, string? model, CancellationToken ct);

    /// <summary>Ranks texts (captions) for an encoded image, best first.</summary>
    Task<IReadOnlyList<LabelScore>> SimilarityAsync(byte[] image, IReadOnlyList<string> texts, string? model, CancellationToken ct);

    /// <summary>The L2-normalised embedding of an encoded image.</summary>
    Task<float[]> EmbedImageAsync(byte[] image, string? model, CancellationToken ct);

    /// <summary>
    /// What changed between acquisition dates of the same places inside the box and time range, ranked (see
    /// <see cref="ChangeQuery"/>). An area or range with fewer than two acquisition dates throws <see cref="InputException"/>.
    /// </summary>
    Task<ChangeResult> ChangesAsync(ChangeQuery query, CancellationToken ct);

    /// <summary>Whether the database answers and, on a distributed (Citus) catalogue, which workers do not.</summary>
    Task<CatalogHealth> CheckHealthAsync(CancellationToken ct);

    /// <summary>How the cache of text embeddings (query texts and negative terms) is doing; null when there is none.</summary>
    CacheStatistics? TextEmbeddingCache => null;
}

/// <summary>
/// The catalogue's database answers (<see cref="Available"/>); on Citus, <see cref="Workers"/> is the number of
/// workers and <see cref="UnreachableWorkers"/> names those that do not answer (a search needing their shards fails).
/// </summary>
public sealed record CatalogHealth(bool Available, int Workers = 0, IReadOnlyList<string>? UnreachableWorkers = null)
{
    public IReadOnlyList<string> UnreachableWorkers { get; init; } = UnreachableWorkers ?? [];
}

/// <summary>Look-ups a cache answered (<see cref="Hits"/>) or had to compute (<see cref="Misses"/>), and the entries it holds.</summary>
public sealed record CacheStatistics(long Hits, long Misses, int Entries);
