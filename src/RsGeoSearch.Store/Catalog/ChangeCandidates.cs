namespace RsGeoSearch.Store;

/// <summary>The chips found for a <see cref="ChangeCandidatesQuery"/> (by id) and every same-place pair among them.</summary>
public sealed record ChangeCandidates(IReadOnlyDictionary<long, ChangeChip> Chips, IReadOnlyList<ChipPair> Pairs);
