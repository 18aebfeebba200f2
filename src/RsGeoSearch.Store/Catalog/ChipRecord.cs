using NetTopologySuite.Geometries;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>A stored chip with what a thumbnail needs: its scene's uri, pyramid level and pixel window.</summary>
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
