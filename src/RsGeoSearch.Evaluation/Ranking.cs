using System.Numerics.Tensors;

namespace RsGeoSearch.Evaluation;

/// <summary>
/// Scores and ranks as every metric here uses them: the score of two L2-normalised embeddings is their dot product
/// (= cosine; <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>). Classification orders
/// classes by score, descending, ties by index (<see cref="Position"/>, <see cref="Best"/>), so the top-1 class is the
/// one in the confusion matrix; retrieval counts only strictly better candidates (<see cref="Rank"/>), so a caption
/// whose text also belongs to another image, with the very same score, does not push the image's own copy down.
/// </summary>
public static class Ranking
{
    public static float Score(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"embeddings differ in length: {a.Length} vs {b.Length}");
        return TensorPrimitives.Dot(a, b);
    }

    /// <summary>Scores of a query against every candidate, into <paramref name="destination"/>.</summary>
    public static void Scores(ReadOnlySpan<float> query, IReadOnlyList<float[]> candidates, Span<float> destination)
    {
        for (var i = 0; i < candidates.Count; i++) destination[i] = Score(query, candidates[i]);
    }

    public static float[] Scores(ReadOnlySpan<float> query, IReadOnlyList<float[]> candidates)
    {
        var result = new float[candidates.Count];
        Scores(query, candidates, result);
        return result;
    }

    /// <summary>0-based position of candidate <paramref name="target"/> when candidates are sorted (score desc, index asc).</summary>
    public static int Position(ReadOnlySpan<float> scores, int target)
    {
        var s = scores[target];
        var position = 0;
        for (var j = 0; j < scores.Length; j++)
            if (scores[j] > s || scores[j] == s && j < target) position++;
        return position;
    }

    /// <summary>0-based rank of candidate <paramref name="target"/>: the number of candidates with a strictly higher score.</summary>
    public static int Rank(ReadOnlySpan<float> scores, int target)
    {
        var s = scores[target];
        var rank = 0;
        foreach (var x in scores)
            if (x > s) rank++;
        return rank;
    }

    /// <summary>The first candidate in that order (arg max, lowest index on ties).</summary>
    public static int Best(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var j = 1; j < scores.Length; j++)
            if (scores[j] > scores[best]) best = j;
        return best;
    }
}
