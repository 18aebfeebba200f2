namespace RsGeoSearch.Core;

/// <summary>
/// A catalogue query as a client states it. What to look for: <see cref="Text"/>, an uploaded
/// <see cref="Image"/>, or example chips (<see cref="Like"/> / <see cref="Unlike"/>, relevance feedback);
/// with none of them the chips matching the filter are listed by id. Where and when: <see cref="Bbox"/>
/// (EPSG:4326), <see cref="Time"/> and the property filter <see cref="Where"/>; <see cref="SortBy"/> orders an
/// unranked listing (a ranked one is ordered by score). <see cref="Model"/> null means the default model.
/// <see cref="Not"/>: texts to push the ranking away from (negative terms, see <c>QueryVector</c>).
/// <see cref="MinRelevance"/>: the least calibrated relevance in [0, 1] a hit must have (null: the default
/// threshold for text queries, none otherwise). <see cref="Group"/>: one hit per chip, or one per place.
/// </summary>
public sealed record CatalogQuery(
    string? Text = null,
    byte[]? Image = null,
    IReadOnlyList<long>? Like = null,
    IReadOnlyList<long>? Unlike = null,
    BoundingBox? Bbox = null,
    TimeRange Time = default,
    int Limit = 10,
    int Offset = 0,
    double? MinScore = null,
    string? Model = null,
    Filtering.FilterNode? Where = null,
    IReadOnlyList<Filtering.SortClause>? SortBy = null,
    IReadOnlyList<string>? Not = null,
    double? MinRelevance = null,
    SearchGrouping Group = SearchGrouping.Chip)
{
    /// <summary>The relevance threshold a text query gets when the client names none.</summary>
    public const double DefaultMinRelevance = 0.5;

    public bool IsRanked => !string.IsNullOrWhiteSpace(Text) || Image is not null || Like is { Count: > 0 };
}
