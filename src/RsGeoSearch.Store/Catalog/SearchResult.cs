using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>
/// One page of a ranked search, best first (ties by chip id), each hit a chip with its details and score; the plan
/// that produced it (<see cref="SearchPlan.Exact"/> or <see cref="SearchPlan.Index"/>); the candidate count estimated
/// for the filter; with <see cref="SearchExtras.Count"/> how many chips match in all, and with
/// <see cref="SearchExtras.Embeddings"/> each hit's embedding.
/// </summary>
public sealed record SearchResult(
    IReadOnlyList<ScoredChip> Hits,
    SearchPlan Plan,
    long EstimatedCandidates,
    long? Count = null,
    IReadOnlyDictionary<long, float[]>? Embeddings = null);

/// <summary>What a ranked search returns besides its page.</summary>
[Flags]
public enum SearchExtras
{
    None = 0,
    /// <summary>How many chips match the filter and min score (OGC numberMatched), in the same round trip.</summary>
    Count = 1,
    /// <summary>Each hit's stored embedding (for a relevance calibration that needs it).</summary>
    Embeddings = 2,
}
