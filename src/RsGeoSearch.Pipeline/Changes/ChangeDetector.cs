using System.Globalization;
using NetTopologySuite.Geometries;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Store;

namespace RsGeoSearch.Pipeline.Changes;

/// <summary>
/// Change detection between acquisition dates: the store pairs chips of the same place
/// (<see cref="ChangeQueries.GetCandidatesAsync"/>); this class picks which two dates of each place to compare
/// (<see cref="ChangePairing"/>), scores them and ranks them.
/// <list type="bullet">
/// <item>Change = 1 − cos(before, after). Normalised: divided by the place's typical change, the median change
/// between its successive acquisitions over all its dates (a place seen fewer than three times takes the median of
/// the whole box), so places that always change (seasons, water level, clouds) rank below a change that stands out.</item>
/// <item>q: cos(after, q) − cos(before, q), how far the place moved towards the text.</item>
/// <item>from_q and to_q: P(before shows from_q) · P(after shows to_q), each probability the model's own two-way
/// scoring (softmax or sigmoid) of the chip against the two texts; with only one of them, the move away from
/// from_q (cos(before) − cos(after)) or towards to_q.</item>
/// </list>
/// </summary>
public sealed class ChangeDetector
{
    private readonly CatalogStore _store;

    public ChangeDetector(CatalogStore store) => _store = store;

    public async Task<ChangeResult> DetectAsync(ChangeQuery query, Model model, CancellationToken ct = default)
    {
        var texts = new List<float[]>();
        int q = -1, from = -1, to = -1;
        if (query.Text is { } t) { q = texts.Count; texts.Add(QueryVector.FromText(model, t)); }
        if (query.FromText is { } f) { from = texts.Count; texts.Add(QueryVector.FromText(model, f)); }
        if (query.ToText is { } tt) { to = texts.Count; texts.Add(QueryVector.FromText(model, tt)); }

        // Normalising needs every date of the place, not only those in the range.
        var loadTime = query.Normalise ? TimeRange.All : query.Time;
        var candidates = await _store.Changes.GetCandidatesAsync(
            new ChangeCandidatesQuery(model.Name, query.Bbox, loadTime, query.MinIoU, texts), ct).ConfigureAwait(false);

        var inRange = candidates.Chips.Values.Where(c => query.Time.Contains(c.AcquiredAt)).ToList();
        var dates = inRange.Select(c => DateOnly.FromDateTime(c.AcquiredAt.UtcDateTime)).Distinct().Order().ToList();
        if (inRange.Count == 0)
        {
            var known = await _store.Scenes.GetAcquisitionDatesAsync(query.Bbox, model.Name, ct).ConfigureAwait(false);
            throw new InsufficientImageryException($"no imagery of model '{model.Name}' in bbox {query.Bbox} within {query.Time}; " +
                (known.Count == 0 ? "the box holds no georeferenced chips with acquisition dates (ingest imagery there first)"
                                  : $"the box has imagery on {DescribeDates(known)}"));
        }
        if (candidates.Chips.Values.Where(c => query.Time.Contains(c.AcquiredAt)).Select(c => c.AcquiredAt).Distinct().Count() < 2)
            throw new InsufficientImageryException($"only one acquisition ({dates[0]:yyyy-MM-dd}) of model '{model.Name}' lies in bbox {query.Bbox} within {query.Time}; changes need two dates — widen the time range");

        var window = candidates.Pairs.Where(p => InRange(candidates, p, query.Time)).ToList();
        var chosen = Select(window, candidates.Chips, query.Pairing);
        var baselines = query.Normalise ? new Baselines(candidates) : null;

        var scored = new List<(ChipPair Pair, double Score, double? Normalised, double? Text)>(chosen.Count);
        foreach (var p in chosen)
        {
            var before = candidates.Chips[p.Before];
            var after = candidates.Chips[p.After];
            double? normalised = baselines?.Normalise(p);
            double? text = null;
            if (q >= 0) text = after.TextCosines[q] - before.TextCosines[q];
            else if (from >= 0 && to >= 0)
            {
                var pb = Similarity.Probabilities(model.Scoring, [before.TextCosines[from], before.TextCosines[to]]);
                var pa = Similarity.Probabilities(model.Scoring, [after.TextCosines[from], after.TextCosines[to]]);
                text = pb[0] * pa[1];
            }
            else if (from >= 0) text = before.TextCosines[from] - after.TextCosines[from];
            else if (to >= 0) text = after.TextCosines[to] - before.TextCosines[to];
            scored.Add((p, text ?? normalised ?? p.Distance, normalised, text));
        }
        var top = scored
            .OrderByDescending(s => s.Score).ThenByDescending(s => s.Pair.Distance).ThenBy(s => s.Pair.After).ThenBy(s => s.Pair.Before)
            .Skip(query.Offset).Take(query.Limit).ToList();

        var records = (await _store.Chips.GetManyAsync(top.SelectMany(s => new[] { s.Pair.Before, s.Pair.After }).Distinct().ToArray(), ct)
            .ConfigureAwait(false)).ToDictionary(c => c.Id);
        var items = new List<ChangeRecord>(top.Count);
        foreach (var s in top)
        {
            if (!records.TryGetValue(s.Pair.Before, out var b) || !records.TryGetValue(s.Pair.After, out var a)) continue; // deleted meanwhile
            items.Add(new ChangeRecord(b, a, s.Score, s.Pair.Distance, s.Normalised, s.Text, s.Pair.Iou, Overlap(b, a)));
        }
        return new ChangeResult(items, chosen.Count, dates, model.Name);
    }

    /// <summary>
    /// The pairs to compare among same-place pairs inside the range. Span: a pair whose earlier chip is the
    /// first acquisition among the later chip's partners and whose later chip is the last among the earlier
    /// chip's partners (one pair per place: its first and last date). Consecutive: the earlier chip is the later
    /// one's latest predecessor and the later chip the earlier one's next successor.
    /// </summary>
    public static IReadOnlyList<ChipPair> Select(IReadOnlyList<ChipPair> pairs, IReadOnlyDictionary<long, ChangeChip> chips, ChangePairing pairing)
    {
        var earliestBefore = new Dictionary<long, DateTimeOffset>(); // per later chip: its partners' first / latest earlier time
        var latestBefore = new Dictionary<long, DateTimeOffset>();
        var latestAfter = new Dictionary<long, DateTimeOffset>();   // per earlier chip: its partners' last / next later time
        var earliestAfter = new Dictionary<long, DateTimeOffset>();
        foreach (var p in pairs)
        {
            var tb = chips[p.Before].AcquiredAt;
            var ta = chips[p.After].AcquiredAt;
            Keep(earliestBefore, p.After, tb, min: true);
            Keep(latestBefore, p.After, tb, min: false);
            Keep(latestAfter, p.Before, ta, min: false);
            Keep(earliestAfter, p.Before, ta, min: true);
        }
        return pairs.Where(p =>
        {
            var tb = chips[p.Before].AcquiredAt;
            var ta = chips[p.After].AcquiredAt;
            return pairing == ChangePairing.Span
                ? earliestBefore[p.After] == tb && latestAfter[p.Before] == ta
                : latestBefore[p.After] == tb && earliestAfter[p.Before] == ta;
        }).ToList();
    }

    private static void Keep(Dictionary<long, DateTimeOffset> map, long key, DateTimeOffset t, bool min)
    {
        if (!map.TryGetValue(key, out var old) || (min ? t < old : t > old)) map[key] = t;
    }

    private static bool InRange(ChangeCandidates c, ChipPair p, TimeRange time) =>
        time.Contains(c.Chips[p.Before].AcquiredAt) && time.Contains(c.Chips[p.After].AcquiredAt);

    private static Polygon? Overlap(ChipRecord before, ChipRecord after)
    {
        if (before.Footprint is not { } a || after.Footprint is not { } b) return after.Footprint ?? before.Footprint;
        if (a.EqualsExact(b)) return b;
        try
        {
            return a.Intersection(b) is Polygon p && !p.IsEmpty ? p : b;
        }
        catch (TopologyException)
        {
            return b;
        }
    }

    private static string DescribeDates(IReadOnlyList<DateOnly> dates) =>
        dates.Count <= 6
            ? string.Join(", ", dates.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))
            : $"{dates.Count} dates from {dates[0]:yyyy-MM-dd} to {dates[^1]:yyyy-MM-dd}";

    /// <summary>
    /// Typical change of each place: the median change between successive acquisitions among the later chip and
    /// all its same-place partners (every date, not only the asked range); the box's median for places seen fewer
    /// than three times; never below half the box's median, so a place that hardly ever changed does not turn
    /// a small change into a large ratio (normalising is meant to push noisy places down, not quiet ones up).
    /// </summary>
    private sealed class Baselines
    {
        public const double FloorOfAreaMedian = 0.5;

        private readonly Dictionary<long, HashSet<long>> _partners = [];
        private readonly List<ChipPair> _successive;
        private readonly double _areaMedian;
        private readonly double _floor;

        public Baselines(ChangeCandidates all)
        {
            foreach (var p in all.Pairs)
            {
                Partners(p.Before).Add(p.After);
                Partners(p.After).Add(p.Before);
            }
            _successive = Select(all.Pairs, all.Chips, ChangePairing.Consecutive).ToList();
            _areaMedian = Median(_successive.Select(p => p.Distance).ToList()) ?? 0;
            _floor = Math.Max(_areaMedian * FloorOfAreaMedian, 1e-6);
        }

        public double Normalise(ChipPair pair)
        {
            var place = new HashSet<long>(Partners(pair.After)) { pair.After };
            var changes = _successive.Where(p => place.Contains(p.Before) && place.Contains(p.After)).Select(p => p.Distance).ToList();
            var typical = changes.Count >= 2 ? Median(changes)!.Value : _areaMedian;
            return pair.Distance / Math.Max(typical, _floor);
        }

        private HashSet<long> Partners(long id)
        {
            if (!_partners.TryGetValue(id, out var set)) _partners[id] = set = [];
            return set;
        }

        private static double? Median(List<double> values)
        {
            if (values.Count == 0) return null;
            values.Sort();
            var m = values.Count / 2;
            return values.Count % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
        }
    }
}
