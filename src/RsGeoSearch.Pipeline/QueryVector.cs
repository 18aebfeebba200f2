using RsGeoSearch.Core;
using RsGeoSearch.Inference;

namespace RsGeoSearch.Pipeline;

/// <summary>
/// Turns what a user gives (text, an image, chips they like or dislike) into one unit query vector:
/// Rocchio relevance feedback, q = text + image + Σ like − ½·mean(unlike) − ½·mean(not), renormalised (the liked
/// chips are summed with the text and the image, not averaged).
/// Since every embedding is a unit vector, ranking by cos(q, chip) ranks by
/// cos(text, chip) − ½·mean over not-terms of cos(term, chip) (up to a positive factor): a chip that looks like a
/// negative term (e.g. <c>not=clouds</c>) loses half of its similarity to that term.
/// </summary>
public static class QueryVector
{
    public const float UnlikeWeight = 0.5f;

    /// <summary>Weight of the negative text terms (<c>not=</c>), shared among them like <see cref="UnlikeWeight"/>.</summary>
    public const float NotWeight = 0.5f;

    /// <summary>
    /// A text query embedded as itself and through the model's prompt templates (e.g. "an aerial image of {}."),
    /// averaged: short queries such as "farmland" then land where the model saw class prompts.
    /// </summary>
    public static float[] FromText(Model model, string text) => FromTexts(model, [text.Trim()])[0];

    /// <summary><see cref="FromText"/> for many texts at once (in the encoder's batches); the texts are used as given.</summary>
    public static float[][] FromTexts(Model model, IReadOnlyList<string> texts)
    {
        var raw = model.EncodeTexts(texts);
        if (model.PromptTemplates.Count == 0) return raw;
        var templated = model.EncodeLabels(texts, model.PromptTemplates);
        for (var t = 0; t < raw.Length; t++)
        {
            var v = raw[t];
            for (var i = 0; i < v.Length; i++) v[i] += templated[t][i];
            Similarity.Normalize(v);
        }
        return raw;
    }

    /// <summary>
    /// The sum of the positives minus <see cref="UnlikeWeight"/>·mean(<paramref name="negatives"/>) (disliked chips)
    /// minus <see cref="NotWeight"/>·mean(<paramref name="notTerms"/>) (negative texts), renormalised.
    /// </summary>
    public static float[] Combine(int dimension, IEnumerable<float[]> positives, IReadOnlyCollection<float[]> negatives,
        IReadOnlyCollection<float[]>? notTerms = null)
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
        if (notTerms is { Count: > 0 })
            foreach (var n in notTerms) Add(v, n, -NotWeight / notTerms.Count);
        Similarity.Normalize(v);
        return v;
    }

    private static void Add(float[] into, float[] x, float weight)
    {
        if (x.Length != into.Length) throw new InputException($"embedding has {x.Length} dimensions, the model {into.Length}");
        for (var i = 0; i < into.Length; i++) into[i] += weight * x[i];
    }
}
