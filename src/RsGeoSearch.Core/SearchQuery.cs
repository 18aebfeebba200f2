namespace RsGeoSearch.Core;

/// <summary>
/// A ranked search: the chips of the <see cref="ChipFilter"/> ordered by cosine similarity to <see cref="Vector"/> (in
/// the embedding space of <see cref="ChipFilter.Model"/>; from text, an image or chips), ties by chip id, one page of
/// <see cref="Limit"/> after <see cref="Offset"/>, each at least <see cref="MinScore"/>.
/// </summary>
public sealed record SearchQuery(
    string Model,
    float[] Vector,
    BoundingBox? Bbox = null,
    TimeRange Time = default,
    int Limit = 10,
    int Offset = 0,
    double? MinScore = null,
    IReadOnlyList<long>? ExcludeChipIds = null,
    Filtering.FilterNode? Where = null) : ChipFilter(Model, Bbox, Time, Where, ExcludeChipIds)
{
    public const int MaxLimit = CatalogQuery.MaxLimit;

    /// <summary>Checks limit and offset (the rules of <see cref="CatalogQuery"/>) and the vector; throws <see cref="InputException"/>.</summary>
    public SearchQuery Validated()
    {
        CatalogQuery.CheckRange(Limit, 1, MaxLimit, "limit");
        CatalogQuery.CheckRange(Offset, 0, CatalogQuery.MaxOffset, "offset");
        if (Vector.Length == 0) throw new InputException("query vector is empty");
        return this;
    }
}
