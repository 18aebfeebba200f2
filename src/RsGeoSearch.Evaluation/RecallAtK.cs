namespace RsGeoSearch.Evaluation;

/// <summary>Recall@1, @5 and @10 of one retrieval direction (shares of queries with a hit in the top k).</summary>
public sealed record RecallAtK(double R1, double R5, double R10)
{
    public double Mean => (R1 + R5 + R10) / 3;

    /// <summary>From each query's best 0-based position of a correct item.</summary>
    public static RecallAtK FromPositions(IReadOnlyList<int> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Count == 0) throw new ArgumentException("no queries", nameof(positions));
        double At(int k) => (double)positions.Count(p => p < k) / positions.Count;
        return new RecallAtK(At(1), At(5), At(10));
    }
}
