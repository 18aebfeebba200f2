using NetTopologySuite.Geometries;

namespace RsGeoSearch.Core;

/// <summary>A stored scene (one source raster) with its footprint, date and how many chips it gave.</summary>
public sealed record SceneRecord(
    long Id,
    string Uri,
    DateTimeOffset? AcquiredAt,
    AcquisitionSource AcquiredSource,
    Polygon? Footprint,
    string? Crs,
    int Width,
    int Height,
    int Bands,
    long ChipCount);
