namespace RsGeoSearch.Core;

/// <summary>
/// A chip with its relevance to a query: <see cref="Score"/> the cosine similarity (null when the query had no text,
/// image or example), <see cref="Relevance"/> the calibrated probability in [0, 1] that it matches (null when the
/// model has no calibration), and with <c>group=place</c> the place's other dates (<see cref="OtherDates"/>).
/// </summary>
public sealed record ScoredChip(ChipRecord Chip, double? Score, double? Relevance = null, IReadOnlyList<PlaceDate>? OtherDates = null)
{
    public long ChipId => Chip.Id;
}

/// <summary>Another acquisition of a place in a grouped result: the chip, its date and its score for the query.</summary>
public sealed record PlaceDate(long ChipId, DateTimeOffset? AcquiredAt, double Score, double? Relevance);
