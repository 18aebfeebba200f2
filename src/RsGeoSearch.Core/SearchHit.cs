using NetTopologySuite.Geometries;

namespace RsGeoSearch.Core;

/// <summary>One result: a chip, its cosine similarity to the query, and where and when it was taken.</summary>
public sealed record SearchHit(
    long ChipId,
    double Score,
    DateTimeOffset? AcquiredAt,
    long SceneId,
    string SceneUri,
    int Level,
    PixelWindow Window,
    Polygon? Footprint);
