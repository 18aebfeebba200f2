namespace RsGeoSearch.Core;

/// <summary>
/// What to look for and where: a query vector (from text, an image or chips) in the embedding space of
/// <see cref="Model"/>, filtered by bounding box, time and <see cref="Where"/>, the top <see cref="Limit"/> by cosine similarity.
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
    Filtering.FilterNode? Where = null)
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
