namespace RsGeoSearch.Core;

/// <summary>Where and when the catalogue has imagery: the bounding box of all footprints, the time span, and the distinct acquisition days.</summary>
public sealed record CatalogExtent(BoundingBox? Spatial, DateTimeOffset? Start, DateTimeOffset? End, IReadOnlyList<DateOnly> Dates, long SceneCount, long ChipCount);
