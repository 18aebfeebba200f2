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
    public const int MaxLimit = 10_000;

    /// <summary>Checks limit and offset; throws <see cref="InputException"/> for values out of range.</summary>
    public SearchQuery Validated()
    {
        if (Limit < 1 || Limit > MaxLimit) throw new InputException($"limit {Limit} must be between 1 and {MaxLimit}");
        if (Offset < 0) throw new InputException($"offset {Offset} must not be negative");
        if (Vector.Length == 0) throw new InputException("query vector is empty");
        return this;
    }
}
