using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Store;

/// <summary>Which chips to list or count: optionally only those with an embedding of <see cref="Model"/>, inside a box, within a time range, passing <see cref="Where"/>.</summary>
public sealed record ChipFilter(string? Model = null, BoundingBox? Bbox = null, TimeRange Time = default, FilterNode? Where = null);
