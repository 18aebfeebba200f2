namespace RsGeoSearch.Core;

/// <summary>
/// Which chips a listing, a count or a ranked search covers: those with an embedding of <see cref="Model"/>, inside
/// <see cref="Bbox"/> (EPSG:4326), acquired within <see cref="Time"/>, passing the property filter <see cref="Where"/>,
/// other than <see cref="ExcludeChipIds"/>. The one filter of the store; <see cref="SearchQuery"/> adds what ranks.
/// </summary>
public record ChipFilter(
    string Model,
    BoundingBox? Bbox = null,
    TimeRange Time = default,
    Filtering.FilterNode? Where = null,
    IReadOnlyList<long>? ExcludeChipIds = null)
{
    /// <summary>True when anything but the model narrows the chips (the store then joins chips to embeddings).</summary>
    public bool NarrowsChips => Bbox is not null || !Time.IsUnbounded || Where is not null;
}
