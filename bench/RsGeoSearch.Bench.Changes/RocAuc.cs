namespace RsGeoSearch.Bench.Changes;

/// <summary>Area under the ROC curve: the probability that a random positive scores above a random negative (ties count half).</summary>
public static class RocAuc
{
    public static double Compute(IReadOnlyList<(double Score, bool Positive)> items)
    {
        var positives = items.Count(i => i.Positive);
        var negatives = items.Count - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        // Mann-Whitney U with average ranks for ties.
        var sorted = items.OrderBy(i => i.Score).ToList();
        double rankSum = 0;
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j < sorted.Count && sorted[j].Score == sorted[i].Score) j++;
            var averageRank = (i + 1 + j) / 2.0;
            for (var k = i; k < j; k++) if (sorted[k].Positive) rankSum += averageRank;
            i = j;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
