using RsGeoSearch.Core;
using RsGeoSearch.Store;

namespace RsGeoSearch.Pipeline.Search;

/// <summary>
/// <c>group=place</c>: one hit per place instead of per chip. A place is the ground one chip covers; a chip of
/// another scene (another date or sensor) shows the same place when its footprint overlaps with IoU ≥
/// <see cref="MinIoU"/> (the same grid cell of a scene delivered again has IoU ≈ 1). Chips are walked best first and
/// each joins the first place whose best chip it matches, else starts a new place; the walk widens until
/// offset + limit places are found or the matches run out, so paging and exactly-k apply to places. Each hit is
/// the place's best chip with every other date of the place (inside the time range) and its score.
/// </summary>
public static class PlaceGrouping
{
    public const double MinIoU = 0.5;

    public sealed record Result(IReadOnlyList<ScoredChip> Items, long NumberMatched, SearchPlan Plan);

    public static async Task<Result> SearchAsync(CatalogStore store, SearchQuery search, QueryRelevance? relevance, CancellationToken ct)
    {
        var wanted = search.Offset + search.Limit;
        var chipCount = await store.CountAsync(search, ct).ConfigureAwait(false);
        var fetch = (int)Math.Min(SearchQuery.MaxLimit, Math.Max(wanted * 4L, 50));
        while (true)
        {
            var result = await store.SearchAsync(search with { Offset = 0, Limit = fetch }, SearchPlan.Auto, ct).ConfigureAwait(false);
            var exhausted = result.Hits.Count < fetch || fetch >= chipCount;
            var places = Group(result.Hits);
            if (places.Count >= wanted || exhausted || fetch >= SearchQuery.MaxLimit)
            {
                var page = places.Skip(search.Offset).Take(search.Limit).ToList();
                var ids = page.Select(p => p.ChipId).ToArray();
                var records = (await store.GetChipsAsync(ids, ct).ConfigureAwait(false)).ToDictionary(c => c.Id);
                var others = (await store.GetPlaceChipsAsync(search.Model, ids, search.Vector, MinIoU, search.Time, ct).ConfigureAwait(false))
                    .ToLookup(o => o.OfChipId);
                var items = page.Where(p => records.ContainsKey(p.ChipId)).Select(p => new ScoredChip(records[p.ChipId], p.Score,
                        relevance?.Probability(p.Score),
                        others[p.ChipId].Select(o => new PlaceDate(o.ChipId, o.AcquiredAt, o.Score, relevance?.Probability(o.Score))).ToList()))
                    .ToList();
                // All matches walked: the number of places is known; otherwise the chip count bounds it from above.
                return new Result(items, exhausted ? places.Count : chipCount, result.Plan);
            }
            fetch = (int)Math.Min(SearchQuery.MaxLimit, fetch * 4L);
        }
    }

    /// <summary>Hits (best first) grouped into places, each represented by its best hit.</summary>
    public static List<SearchHit> Group(IReadOnlyList<SearchHit> hits)
    {
        var places = new List<SearchHit>();
        foreach (var hit in hits)
        {
            var joined = false;
            if (hit.Footprint is { } f)
                foreach (var place in places)
                {
                    if (place.SceneId == hit.SceneId || place.Footprint is not { } g || !f.EnvelopeInternal.Intersects(g.EnvelopeInternal)) continue;
                    if (IoU(f, g) >= MinIoU) { joined = true; break; }
                }
            if (!joined) places.Add(hit);
        }
        return places;
    }

    public static double IoU(NetTopologySuite.Geometries.Geometry a, NetTopologySuite.Geometries.Geometry b)
    {
        var union = a.Union(b).Area;
        return union <= 0 ? 0 : a.Intersection(b).Area / union;
    }
}
