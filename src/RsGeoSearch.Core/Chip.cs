using NetTopologySuite.Geometries;

namespace RsGeoSearch.Core;

/// <summary>
/// One chip cut from a scene. <see cref="Level"/> 0 is full resolution, level n is downsampled 2^n.
/// <see cref="Col"/>/<see cref="Row"/> index the chip grid of that level. <see cref="Footprint"/> is
/// in EPSG:4326 (null for a raster without georeferencing).
/// </summary>
public sealed record Chip(
    int Level,
    int Col,
    int Row,
    PixelWindow Window,
    Polygon? Footprint,
    double NodataFraction,
    ChipImage? Image);
