namespace RsGeoSearch.Core;

/// <summary>
/// What changed inside <see cref="Bbox"/> (EPSG:4326) within <see cref="Time"/>. Chips of the same place on two
/// dates are compared: the same grid cell of scenes with equal footprints, or footprints overlapping with an
/// intersection-over-union of at least <see cref="MinIoU"/> (other grids and sensors). Without text the change
/// score is 1 − cosine of the two embeddings (with <see cref="Normalise"/>: divided by the place's typical change
/// between successive dates). <see cref="FromText"/> / <see cref="ToText"/> rank places whose earlier chip shows
/// the first and the later one the second; <see cref="Text"/> ranks places whose later chip moved towards it.
/// <para>
/// The change rules live here, once: every property refuses a bad value (also through <c>with</c>; texts are
/// trimmed, blank ones are null) and the constructor refuses q together with from_q/to_q. A bad value is an
/// <see cref="InputException"/> naming the field as GET /changes calls it.
/// </para>
/// </summary>
public sealed record ChangeQuery
{
    public const double DefaultMinIoU = 0.5;
    public const double LeastMinIoU = 0.01;
    public const int MaxLimit = 1000;
    public const int MaxOffset = 1_000_000;

    public ChangeQuery(
        BoundingBox Bbox,
        TimeRange Time = default,
        string? Text = null,
        string? FromText = null,
        string? ToText = null,
        int Limit = 20,
        double MinIoU = DefaultMinIoU,
        bool Normalise = false,
        ChangePairing Pairing = ChangePairing.Span,
        string? Model = null,
        int Offset = 0)
    {
        this.Bbox = Bbox;
        this.Time = Time;
        this.Text = Text;
        this.FromText = FromText;
        this.ToText = ToText;
        this.Limit = Limit;
        this.MinIoU = MinIoU;
        this.Normalise = Normalise;
        this.Pairing = Pairing;
        this.Model = Model;
        this.Offset = Offset;
        if (this.Text is not null && (this.FromText is not null || this.ToText is not null))
            throw new InputException("q", "give either q (what the place became) or from_q/to_q (what it was and what it became), not both");
    }

    public BoundingBox Bbox { get; init; }

    /// <summary>The dates to compare; a range with both ends must start before it ends.</summary>
    public TimeRange Time
    {
        get;
        init => field = value.From is { } from && value.To is { } to && from >= to
            ? throw new InputException("datetime", $"the time range {value} is empty or reversed: 'from' must be before 'to'")
            : value;
    }

    public string? Text { get; init => field = Clean(value, "q"); }
    public string? FromText { get; init => field = Clean(value, "from_q"); }
    public string? ToText { get; init => field = Clean(value, "to_q"); }

    /// <summary>Changes per page, 1 to <see cref="MaxLimit"/>.</summary>
    public int Limit { get; init => field = CatalogQuery.CheckRange(value, 1, MaxLimit, "limit"); }

    /// <summary>The least footprint IoU of two chips of other grids, <see cref="LeastMinIoU"/> to 1.</summary>
    public double MinIoU
    {
        get;
        init => field = CatalogQuery.CheckRange(value, LeastMinIoU, 1, "iou", "intersection over union of two chip footprints")!.Value;
    }

    public bool Normalise { get; init; }
    public ChangePairing Pairing { get; init; }
    public string? Model { get; init; }

    /// <summary>Changes to skip, 0 to <see cref="MaxOffset"/>.</summary>
    public int Offset { get; init => field = CatalogQuery.CheckRange(value, 0, MaxOffset, "offset"); }

    public bool IsTextGuided => Text is not null || FromText is not null || ToText is not null;

    private static string? Clean(string? text, string field) =>
        string.IsNullOrWhiteSpace(text) ? null : CatalogQuery.CheckText(text, field)!.Trim();
}
