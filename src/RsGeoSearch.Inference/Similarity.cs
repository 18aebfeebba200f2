using System.Numerics.Tensors;
using RsGeoSearch.Inference.Models;

namespace RsGeoSearch.Inference;

/// <summary>Cosine similarity and the family-specific conversions of similarities into probabilities.</summary>
public static class Similarity
{
    /// <summary>Cosine similarity of two vectors (1 for identical directions).</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"vectors differ in length: {a.Length} vs {b.Length}");
        return TensorPrimitives.CosineSimilarity(a, b);
    }

    /// <summary>Cosine similarity of <paramref name="query"/> with each candidate.</summary>
    public static float[] Cosines(ReadOnlySpan<float> query, IReadOnlyList<float[]> candidates)
    {
        var result = new float[candidates.Count];
        for (var i = 0; i < result.Length; i++) result[i] = Cosine(query, candidates[i]);
        return result;
    }

    /// <summary>Scales a vector to unit length in place (a zero vector stays zero).</summary>
    public static void Normalize(Span<float> v)
    {
        var norm = TensorPrimitives.Norm(v);
        if (norm > 0) TensorPrimitives.Divide(v, norm, v);
    }

    /// <summary>softmax(scale · s) over all similarities (CLIP, rsgeo): probabilities relative to the other labels.</summary>
    public static float[] Softmax(ReadOnlySpan<float> similarities, float logitScale)
    {
        var logits = new double[similarities.Length];
        var max = double.NegativeInfinity;
        for (var i = 0; i < logits.Length; i++) { logits[i] = (double)logitScale * similarities[i]; max = Math.Max(max, logits[i]); }
        var sum = 0.0;
        for (var i = 0; i < logits.Length; i++) { logits[i] = Math.Exp(logits[i] - max); sum += logits[i]; }
        return logits.Select(x => (float)(x / sum)).ToArray();
    }

    /// <summary>sigmoid(scale · s + bias) for each similarity (SigLIP): an absolute probability that the text matches.</summary>
    public static float[] Sigmoid(ReadOnlySpan<float> similarities, float logitScale, float logitBias)
    {
        var result = new float[similarities.Length];
        for (var i = 0; i < result.Length; i++) result[i] = (float)(1.0 / (1.0 + Math.Exp(-((double)logitScale * similarities[i] + logitBias))));
        return result;
    }

    /// <summary>Probabilities for the similarities of one image with several texts, as the model's scoring says.</summary>
    public static float[] Probabilities(ScoringSpec scoring, ReadOnlySpan<float> similarities) => scoring.Kind switch
    {
        ScoringKind.Sigmoid => Sigmoid(similarities, scoring.LogitScale, scoring.LogitBias),
        _ => Softmax(similarities, scoring.LogitScale),
    };
}
