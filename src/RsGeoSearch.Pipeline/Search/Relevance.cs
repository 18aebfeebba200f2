using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Inference.Models;

namespace RsGeoSearch.Pipeline.Search;

/// <summary>
/// Calibrated relevance: the probability in [0, 1] that a chip matches a query, comparable across queries of one
/// model. SigLIP-family models (sigmoid scoring) carry their own: σ(logit_scale·cos + logit_bias). Cosine models
/// (rsgeo-mini, CLIP) use a calibration the project fits per model (<see cref="RelevanceCalibration"/>,
/// <c>calibration.json</c> beside the manifest): the query's cosine with the chip is compared with the cosines of
/// the same chip to a fixed set of reference texts (the scene classes of the calibration data and nonsense strings),
/// z = (cos − mean_ref) / std_ref, and with k, the share of the query's words the model's tokenizer knows as one
/// token, p = σ(a·z + b·cos + d·k + c). A query is relevant to a chip when it describes the chip better than generic
/// alternatives do, in words the model knows: a random string can land near an empty or saturated chip (whose
/// cosines to every text are high), but its words are unknown to the model, so it is never a confident match.
/// </summary>
public static class Relevance
{
    /// <summary>The threshold a text query gets when the client names none (<c>min_relevance</c>).</summary>
    public const double DefaultMinRelevance = CatalogQuery.DefaultMinRelevance;

    private static readonly ConcurrentDictionary<string, RelevanceCalibration?> Calibrations = new(StringComparer.Ordinal);

    /// <summary>
    /// How chips become relevance for <paramref name="queryVector"/> (from <paramref name="text"/>, when the query has
    /// text) with <paramref name="model"/>; null when the model has no calibration.
    /// </summary>
    public static QueryRelevance? For(Model model, float[] queryVector, string? text)
    {
        if (model.Scoring.Kind == ScoringKind.Sigmoid)
            return new QueryRelevance(model.Scoring.LogitScale, model.Scoring.LogitBias, null, queryVector);
        var calibration = CalibrationOf(model);
        if (calibration is null) return null;
        var known = string.IsNullOrWhiteSpace(text) ? 1 : KnownWordShare(model.Tokenizer, text);
        return new QueryRelevance(calibration.B, calibration.C + calibration.D * known, calibration, queryVector);
    }

    /// <summary>
    /// The share of the words of <paramref name="text"/> (runs of letters) that the tokenizer encodes as one known
    /// token — not split into pieces, not unknown. 0 for a text without letters.
    /// </summary>
    public static double KnownWordShare(Inference.Text.Tokenizer tokenizer, string text)
    {
        var words = System.Text.RegularExpressions.Regex.Matches(text, @"\p{L}+").Select(m => m.Value).ToList();
        if (words.Count == 0) return 0;
        var specials = tokenizer.TokenIds("").Length;
        var unknown = tokenizer is Inference.Text.WordPieceTokenizer wp ? wp.UnkId : -1;
        var known = words.Count(w =>
        {
            var ids = tokenizer.TokenIds(w);
            return ids.Length - specials == 1 && !ids.Contains(unknown);
        });
        return (double)known / words.Count;
    }

    /// <summary>The model folder's calibration, when it exists and was fitted for these weights (cached per folder and weights).</summary>
    public static RelevanceCalibration? CalibrationOf(Model model) =>
        Calibrations.GetOrAdd(model.Directory + "|" + model.Fingerprint, _ =>
        {
            var path = Path.Combine(model.Directory, RelevanceCalibration.FileName);
            if (!File.Exists(path)) return null;
            var calibration = RelevanceCalibration.Load(path);
            if (calibration.Fingerprint != model.Fingerprint || calibration.Dimension != model.Dimension) return null;
            calibration.SetReference(QueryVector.FromTexts(model, calibration.ReferenceTexts));
            return calibration;
        });

    /// <summary>Forgets cached calibrations (after <c>rsgeo eval calibrate --write</c>).</summary>
    public static void ClearCache() => Calibrations.Clear();

    internal static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    internal static double Logit(double p) => Math.Log(p / (1 - p));
}

/// <summary>
/// Relevance of chips for one query. Sigmoid models: p = σ(Slope·cos + Intercept) from the score alone
/// (<see cref="NeedsEmbeddings"/> false; a threshold is a score threshold, <see cref="MinScore"/>). Calibrated cosine
/// models also need the chip's embedding (its cosines to the reference texts).
/// </summary>
public sealed record QueryRelevance(double Slope, double Intercept, RelevanceCalibration? Calibration, float[] Query)
{
    // Calibrated: Intercept holds c + d·k (the query-side part of the logit).
    public bool NeedsEmbeddings => Calibration is not null;

    public double Probability(double score, float[]? chipEmbedding)
    {
        if (Calibration is not { } c) return Relevance.Sigmoid(Slope * score + Intercept);
        ArgumentNullException.ThrowIfNull(chipEmbedding);
        var (mean, std) = RelevanceCalibration.ReferenceStats(c.Reference, chipEmbedding);
        return Relevance.Sigmoid(c.A * (score - mean) / std + c.B * score + Intercept);
    }

    /// <summary>Score-only relevance: the least cosine whose relevance reaches <paramref name="minRelevance"/>.</summary>
    public double MinScore(double minRelevance)
    {
        if (NeedsEmbeddings) throw new InvalidOperationException("a calibrated cosine model needs each chip's embedding");
        if (minRelevance <= 0) return -2;
        if (minRelevance >= 1 || Slope <= 0) return 2;
        return Math.Clamp((Relevance.Logit(minRelevance) - Intercept) / Slope, -2, 2);
    }
}

/// <summary>
/// A cosine model's relevance calibration as stored in <c>calibration.json</c>: coefficients, the reference texts,
/// what data they were fitted on, and the reliability curve measured on held-out pairs. Written by
/// <c>rsgeo eval calibrate --write</c>; used only with the weights it was fitted for (<see cref="Fingerprint"/>).
/// </summary>
public sealed class RelevanceCalibration
{
    public const string FileName = "calibration.json";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required string Model { get; init; }
    public required string Fingerprint { get; init; }
    public required int Dimension { get; init; }
    public string Method { get; init; } =
        "logistic regression of match / no match on z = (cos - mean) / std over the chip's cosines to the reference texts, and k = share of the query's words the tokenizer knows; classes weighted equally";
    public required double A { get; init; }
    public required double B { get; init; }
    public required double C { get; init; }

    /// <summary>Weight of k, the share of the query's words the tokenizer knows.</summary>
    public double D { get; init; }
    public double DefaultMinRelevance { get; init; } = Relevance.DefaultMinRelevance;
    public required IReadOnlyList<string> ReferenceTexts { get; init; }
    public required CalibrationData Data { get; init; }
    public required CalibrationQuality Quality { get; init; }

    [JsonIgnore]
    public float[][] Reference { get; private set; } = [];

    /// <summary>Mean and standard deviation (at least 1e-3) of a chip's cosines to the reference text embeddings.</summary>
    public static (double Mean, double Std) ReferenceStats(float[][] reference, float[] chip)
    {
        double sum = 0, sumSq = 0;
        foreach (var r in reference)
        {
            var c = (double)Similarity.Cosine(r, chip);
            sum += c;
            sumSq += c * c;
        }
        var n = Math.Max(1, reference.Length);
        var mean = sum / n;
        var std = Math.Sqrt(Math.Max(0, sumSq / n - mean * mean));
        return (mean, Math.Max(std, 1e-3));
    }

    public static RelevanceCalibration Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RelevanceCalibration>(File.ReadAllText(path), Json)
                ?? throw new InputException($"{path}: empty calibration");
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not a relevance calibration ({e.Message}); recompute it with rsgeo eval calibrate --write");
        }
    }

    /// <summary>Writes calibration.json into <paramref name="directory"/>.</summary>
    public void Save(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    internal void SetReference(float[][] reference) => Reference = reference;
}

/// <summary>Which data a calibration was fitted and checked on.</summary>
public sealed record CalibrationData(
    string Images,
    string Captions,
    string? Subset,
    int ImageCount,
    int FitPairs,
    int CheckPairs,
    int Positives,
    int Negatives,
    string Pairs);

/// <summary>How well a calibration separates and predicts on the held-out half: ROC AUC, expected calibration error, reliability bins.</summary>
public sealed record CalibrationQuality(double Auc, double ExpectedCalibrationError, IReadOnlyList<ReliabilityBin> Reliability);

/// <summary>One bin of the reliability curve: pairs whose predicted relevance falls in [From, To), their mean prediction and the (class-balanced) fraction that truly match.</summary>
public sealed record ReliabilityBin(double From, double To, int Pairs, double Predicted, double Observed);
