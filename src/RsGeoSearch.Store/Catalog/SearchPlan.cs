namespace RsGeoSearch.Store;

/// <summary>How a search finds the top k.</summary>
public enum SearchPlan
{
    /// <summary>Chosen per query from the estimated number of candidates the filter leaves.</summary>
    Auto = 0,
    /// <summary>Distances to every candidate the filter leaves, sorted: exact, fast for small candidate sets.</summary>
    Exact = 1,
    /// <summary>The model's HNSW index with iterative scans (relaxed order), re-sorted; falls back to exact when it finds fewer than k.</summary>
    Index = 2,
}
