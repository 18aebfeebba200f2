using NetTopologySuite.Geometries;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>A stored scene, its stored chip count (largest over models) and the models that completed it.</summary>
public sealed record SceneRecord(
    long Id,
    string Uri,
    string Sha256,
    string? Crs,
    DateTimeOffset? AcquiredAt,
    AcquisitionSource AcquiredSource,
    Polygon? Footprint,
    int Width,
    int Height,
    int Bands,
    DateTimeOffset IngestedAt,
    long ChipCount,
    IReadOnlyList<string> CompletedModels);
