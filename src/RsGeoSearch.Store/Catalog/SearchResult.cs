using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>
/// Hits of a search, best first, with the plan that produced them (<see cref="SearchPlan.Exact"/> or
/// <see cref="SearchPlan.Index"/>) and the candidate count estimated for the filter.
/// </summary>
public sealed record SearchResult(IReadOnlyList<SearchHit> Hits, SearchPlan Plan, long EstimatedCandidates);
