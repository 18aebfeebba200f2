namespace RsGeoSearch.Store;

/// <summary>Tuning of <see cref="CatalogStore"/>: index build parameters and the exact/index plan threshold (the index kind is per model: <see cref="ModelInfo.VectorIndex"/>).</summary>
public sealed record CatalogStoreOptions
{
    /// <summary>Auto plans scan exactly when the filter leaves at most this many candidates (estimated), or more on large catalogues (ChipQueries.ExactScanMaxCandidates).</summary>
    public long ExactScanMaxCandidates { get; init; } = 3000;

    /// <summary>HNSW graph degree.</summary>
    public int HnswM { get; init; } = 16;

    /// <summary>HNSW build candidate list size.</summary>
    public int HnswEfConstruction { get; init; } = 64;

    /// <summary>An IVFFlat index is built once a model has this many embeddings (searches scan exactly before).</summary>
    public long IvfFlatMinRows { get; init; } = 10_000;

    /// <summary>Lower bound of hnsw.ef_search per query (it grows with offset + limit).</summary>
    public int MinEfSearch { get; init; } = 100;

    /// <summary>Drop the index before a bulk load (and rebuild after) when the load adds at least this many rows and at least half the stored ones.</summary>
    public long BulkLoadRebuildMinRows { get; init; } = 10_000;
}
