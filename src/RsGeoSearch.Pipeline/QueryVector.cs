using RsGeoSearch.Core;
using RsGeoSearch.Inference;

namespace RsGeoSearch.Pipeline;

/// <summary>
/// Turns what a user gives (text, an image, chips they like or dislike) into one unit query vector:
/// Rocchio relevance feedback, q = text + image + mean(like) − ½·mean(unlike), renormalised.
/// </summary>
public static class QueryVector
{
    public const float UnlikeWeight = 0.5f;

    /// <summary>
    /// A text query embedded as itself and through the model's prompt templates (e.g. "an aerial image of {}."),
    /// averaged: short queries such as "farmland" then land where the model saw class prompts.
    /// </summary>
    public static float[] FromText(Model model, string text)
    {
        text = text.Trim();
        if (text.Length == 0) throw new InputException("the text query is empty");
        if (text.Length > 1000) throw new InputException("the text query is longer than 1000 characters");
        var raw = model.EncodeText(text);
        if (model.PromptTemplates.Count == 0) return raw;
        var templated = model.EncodeLabels([text], model.PromptTemplates)[0];
        var v = new float[raw.Length];
        for (var i = 0; i < v.Length; i++) v[i] = raw[i] + templated[i];
        Similarity.Normalize(v);
        return v;
    }

    public static float[] Combine(int dimension, IEnumerable<float[]> positives, IReadOnlyCollection<float[]> negatives)
    {
        var v = new float[dimension];
        var any = false;
        foreach (var p in positives)
        {
            Add(v, p, 1f);
            any = true;
        }
        if (!any) throw new InputException("a query needs text, an image or at least one liked chip");
        if (negatives.Count > 0)
            foreach (var n in negatives) Add(v, n, -UnlikeWeight / negatives.Count);
        Similarity.Normalize(v);
        return v;
    }

    private static void Add(float[] into, float[] x, float weight)
    {
        if (x.Length != into.Length) throw new InputException($"embedding has {x.Length} dimensions, the model {into.Length}");
        for (var i = 0; i < into.Length; i++) into[i] += weight * x[i];
    }
}
