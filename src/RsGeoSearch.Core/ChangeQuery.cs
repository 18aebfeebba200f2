namespace RsGeoSearch.Core;

/// <summary>
/// What changed inside <see cref="Bbox"/> (EPSG:4326) within <see cref="Time"/>. Chips of the same place on two
/// dates are compared: the same grid cell of scenes with equal footprints, or footprints overlapping with an
/// intersection-over-union of at least <see cref="MinIoU"/> (other grids and sensors). Without text the change
/// score is 1 − cosine of the two embeddings (with <see cref="Normalise"/>: divided by the place's typical change
/// between successive dates). <see cref="FromText"/> / <see cref="ToText"/> rank places whose earlier chip shows
/// the first and the later one the second; <see cref="Text"/> ranks places whose later chip moved towards it.
/// </summary>
public sealed record ChangeQuery(
    BoundingBox Bbox,
    TimeRange Time = default,
    string? Text = null,
    string? FromText = null,
    string? ToText = null,
    int Limit = 20,
    double MinIoU = ChangeQuery.DefaultMinIoU,
    bool Normalise = false,
    ChangePairing Pairing = ChangePairing.Span,
    string? Model = null,
    int Offset = 0)
{
    public const double DefaultMinIoU = 0.5;
    public const int MaxLimit = 1000;
    public const int MaxOffset = 1_000_000;

    public bool IsTextGuided => !string.IsNullOrWhiteSpace(Text) || !string.IsNullOrWhiteSpace(FromText) || !string.IsNullOrWhiteSpace(ToText);

    /// <summary>Throws <see cref="InputException"/> naming what is wrong; returns the query with texts trimmed.</summary>
    public ChangeQuery Validated()
    {
        if (Limit < 1 || Limit > MaxLimit) throw new InputException($"limit {Limit} must be between 1 and {MaxLimit}");
        if (Offset is < 0 or > MaxOffset) throw new InputException($"offset {Offset} must be between 0 and {MaxOffset}");
        if (!(MinIoU > 0 && MinIoU <= 1)) throw new InputException($"iou {MinIoU} must be greater than 0 and at most 1 (intersection over union of two chip footprints)");
        if (Time.From is { } from && Time.To is { } to && from >= to)
            throw new InputException($"the time range {Time} is empty or reversed: 'from' must be before 'to'");
        if (!string.IsNullOrWhiteSpace(Text) && (!string.IsNullOrWhiteSpace(FromText) || !string.IsNullOrWhiteSpace(ToText)))
            throw new InputException("give either q (what the place became) or from_q/to_q (what it was and what it became), not both");
        foreach (var t in new[] { Text, FromText, ToText })
            if (t is { Length: > 1000 }) throw new InputException("a change text is longer than 1000 characters");
        return this with { Text = Clean(Text), FromText = Clean(FromText), ToText = Clean(ToText) };
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
