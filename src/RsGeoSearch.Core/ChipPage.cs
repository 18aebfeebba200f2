namespace RsGeoSearch.Core;

/// <summary>One page of chips and how many chips match the filter in total (for OGC numberMatched and next links).</summary>
public sealed record ChipPage(IReadOnlyList<ScoredChip> Items, long NumberMatched, string Model);
