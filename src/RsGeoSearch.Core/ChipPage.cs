namespace RsGeoSearch.Core;

/// <summary>
/// One page of chips and how many chips (or places, when grouped) match the filter in total (for OGC numberMatched
/// and next links), with how the ranked answer was found (<see cref="Search"/>; null for a plain listing).
/// </summary>
public sealed record ChipPage(IReadOnlyList<ScoredChip> Items, long NumberMatched, string Model, SearchInfo? Search = null);

/// <summary>
/// How a ranked search was answered: <see cref="Plan"/> "exact" or "approximate"; for approximate plans the
/// <see cref="Recall"/> the store benchmark measured for that index and filter class (null when unknown); the
/// relevance threshold applied; and when nothing passed it, a <see cref="Message"/> naming the closest score.
/// </summary>
public sealed record SearchInfo(
    string Plan,
    double? Recall,
    string? RecallClass,
    double? MinRelevance,
    string Grouping,
    string? Message = null,
    double? ClosestScore = null,
    double? ClosestRelevance = null);

/// <summary>One hit per chip (the default) or one per place (the best chip of each place, its other dates listed).</summary>
public enum SearchGrouping
{
    Chip,
    Place,
}
