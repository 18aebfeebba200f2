using NetTopologySuite.Geometries;

namespace RsGeoSearch.Core;

/// <summary>One source raster: where it is, its content hash, grid and footprint (EPSG:4326), and when it was acquired.</summary>
public sealed record Scene(
    string Uri,
    string Sha256,
    string? Crs,
    DateTimeOffset? AcquiredAt,
    AcquisitionSource AcquiredSource,
    Polygon? Footprint,
    int Width,
    int Height,
    int Bands);
