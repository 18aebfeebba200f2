namespace RsGeoSearch.Core;

/// <summary>
/// Ranked changes, best first, with what was compared: <see cref="PlacesCompared"/> pairs of the same place
/// (before the limit), between the acquisition <see cref="Dates"/> found in the box and time range, under <see cref="Model"/>.
/// </summary>
public sealed record ChangeResult(IReadOnlyList<ChangeRecord> Items, long PlacesCompared, IReadOnlyList<DateOnly> Dates, string Model);
