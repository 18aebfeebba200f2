using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>Where and when the catalog has imagery: the union box of scene footprints, the acquisition span, and counts.</summary>
public sealed record CatalogExtent(BoundingBox? Bbox, DateTimeOffset? Earliest, DateTimeOffset? Latest, long Scenes, long Chips);
