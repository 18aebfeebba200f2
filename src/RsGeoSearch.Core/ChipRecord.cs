using NetTopologySuite.Geometries;

namespace RsGeoSearch.Core;

/// <summary>A stored chip as the catalogue describes it: where it lies, when, and which scene and pixels it came from.</summary>
public sealed record ChipRecord(
    long Id,
    long SceneId,
    string SceneUri,
    int Level,
    int Col,
    int Row,
    PixelWindow Window,
    Polygon? Footprint,
    DateTimeOffset? AcquiredAt,
    double NodataFraction);
