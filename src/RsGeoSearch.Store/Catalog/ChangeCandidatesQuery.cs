using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>
/// Which chips <see cref="CatalogStore.GetChangeCandidatesAsync"/> pairs: those of <see cref="Model"/> whose footprint
/// intersects <see cref="Bbox"/> and whose acquisition lies in <see cref="Time"/>; two of them are the same place when
/// they are the same grid cell of scenes with equal footprints or their footprints' IoU is at least <see cref="MinIoU"/>.
/// <see cref="TextVectors"/> (0 to 3 unit vectors of the model) are scored against every chip. More than
/// <see cref="MaxChips"/> matching chips is an <see cref="InputException"/> (narrow the box or the dates).
/// </summary>
public sealed record ChangeCandidatesQuery(
    string Model,
    BoundingBox Bbox,
    TimeRange Time,
    double MinIoU = ChangeQuery.DefaultMinIoU,
    IReadOnlyList<float[]>? TextVectors = null,
    int MaxChips = 200_000);
