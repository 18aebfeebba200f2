using RsGeoSearch.Core;
using RsGeoSearch.Store;

namespace RsGeoSearch.Pipeline.Search;

/// <summary>
/// <c>group=place</c>: one hit per place instead of per chip. A place is the ground one chip covers; a chip of
/// another scene (another date or sensor) shows the same place when its footprint overlaps with IoU ≥
/// <see cref="MinIoU"/> (the same grid cell of a scene delivered again has IoU ≈ 1). Chips are walked best first and
/// each joins the first place whose best chip it matches, else starts a new place (<see cref="Group{T}"/>); the
/// caller widens the walk until offset + limit places are found or the matches run out, so paging and exactly-k
/// apply to places. Each hit is the place's best chip with every other date of the place (inside the time range)
/// and its score (<see cref="OtherDatesAsync"/>).
/// </summary>
public static class PlaceGrouping
{
    public const double MinIoU = 0.5;

    /// <summary>Ranked items (best first) grouped into places, each represented by its best item.</summary>
    public static List<T> Group<T>(IEnumerable<T> ranked, Func<T, ChipRecord> chipOf)
    {
        var places = new List<T>();
        foreach (var item in ranked)
        {
            var hit = chipOf(item);
            var joined = false;
            if (hit.Footprint is { } f)
                foreach (var place in places.Select(chipOf))
                {
                    if (place.SceneId == hit.SceneId || place.Footprint is not { } g || !f.EnvelopeInternal.Intersects(g.EnvelopeInternal)) continue;
                    if (IoU(f, g) >= MinIoU) { joined = true; break; }
                }
            if (!joined) places.Add(item);
        }
        return places;
    }

    /// <summary>For each place's best chip, the place's other dates (oldest first) with their scores and relevance.</summary>
    public static async Task<ILookup<long, PlaceDate>> OtherDatesAsync(CatalogStore store, SearchQuery search, IReadOnlyCollection<long> bestChipIds,
        QueryRelevance? relevance, CancellationToken ct)
    {
        var others = await store.Chips.GetPlaceChipsAsync(search.Model, bestChipIds, search.Vector, MinIoU, search.Time,
            withEmbeddings: relevance is { NeedsEmbeddings: true }, ct).ConfigureAwait(false);
        return others.ToLookup(o => o.OfChipId, o => new PlaceDate(o.ChipId, o.AcquiredAt, o.Score, relevance?.Probability(o.Score, o.Embedding)));
    }

    public static double IoU(NetTopologySuite.Geometries.Geometry a, NetTopologySuite.Geometries.Geometry b)
    {
        var union = a.Union(b).Area;
        return union <= 0 ? 0 : a.Intersection(b).Area / union;
    }
}
