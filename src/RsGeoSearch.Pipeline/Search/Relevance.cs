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
/// <c>calibration.json</c> beside the manifest): the chip's cosine is compared with the query's own null
/// distribution — its cosines to a fixed set of reference images — as z = (cos − mean) / std, and
/// p = σ(a·z + b·cos + c). A nonsense query is about as similar to every image, so no chip stands out; a real query
/// stands out on the chips it describes. For one query p grows with the cosine, so a relevance threshold is a
/// score threshold (<see cref="QueryRelevance.MinScore"/>), and the store filters and counts it exactly.
/// </summary>
public static class Relevance
{
    /// <summary>The threshold a text query gets when the client names none (<c>min_relevance</c>).</summary>
    public const double DefaultMinRelevance = CatalogQuery.DefaultMinRelevance;

    private static readonly ConcurrentDictionary<string, RelevanceCalibration?> Calibrations = new(StringComparer.Ordinal);

    /// <summary>How scores of <paramref name="queryVector"/> become relevance with <paramref name="model"/>; null when the model has no calibration.</summary>
    public static QueryRelevance? For(Model model, float[] queryVector)
    {
        if (model.Scoring.Kind == ScoringKind.Sigmoid)
            return new QueryRelevance(model.Scoring.LogitScale, model.Scoring.LogitBias, 0, 1, "sigmoid (the model's logit_scale, logit_bias)");
        var calibration = CalibrationOf(model);
        return calibration?.ForQuery(queryVector);
    }

    /// <summary>True when the model has calibrated relevance (sigmoid scoring or a calibration file that fits its weights).</summary>
    public static bool IsCalibrated(Model model) => model.Scoring.Kind == ScoringKind.Sigmoid || CalibrationOf(model) is not null;

    /// <summary>The model folder's calibration, when it exists and was fitted for these weights (cached per folder and weights).</summary>
    public static RelevanceCalibration? CalibrationOf(Model model) =>
        Calibrations.GetOrAdd(model.Directory + "|" + model.Fingerprint, _ =>
        {
            var path = Path.Combine(model.Directory, RelevanceCalibration.FileName);
            if (!File.Exists(path)) return null;
            var calibration = RelevanceCalibration.Load(path);
            return calibration.Fingerprint == model.Fingerprint && calibration.Dimension == model.Dimension ? calibration : null;
        });

    /// <summary>Forgets cached calibrations (after <c>rsgeo eval calibrate --write</c>).</summary>
    public static void ClearCache() => Calibrations.Clear();

    internal static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    internal static double Logit(double p) => Math.Log(p / (1 - p));
}

/// <summary>
/// Relevance of one query's scores: p(cos) = σ(Slope·cos + Intercept), where for a calibrated cosine model
/// Slope = a / std + b and Intercept = c − a·mean / std (the query's reference mean and std folded in).
/// </summary>
public sealed record QueryRelevance(double Slope, double Intercept, double ReferenceMean, double ReferenceStd, string Method)
{
    public double Probability(double score) => Relevance.Sigmoid(Slope * score + Intercept);

    /// <summary>The least cosine whose relevance reaches <paramref name="minRelevance"/> (−∞/+∞ at 0/1 become ∓2, outside any cosine).</summary>
    public double MinScore(double minRelevance)
    {
        if (minRelevance <= 0) return -2;
        if (minRelevance >= 1) return 2;
        if (Slope <= 0) return 2;
        return Math.Clamp((Relevance.Logit(minRelevance) - Intercept) / Slope, -2, 2);
    }
}

/// <summary>
/// A cosine model's relevance calibration as stored in <c>calibration.json</c> (plus <c>calibration-reference.bin</c>,
/// the reference image embeddings as little-endian float32, count × dimension): coefficients, what data they were
/// fitted on, and the reliability curve measured on held-out pairs. Written by <c>rsgeo eval calibrate --write</c>.
/// </summary>
public sealed class RelevanceCalibration
{
    public const string FileName = "calibration.json";
    public const string ReferenceFileName = "calibration-reference.bin";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required string Model { get; init; }
    public required string Fingerprint { get; init; }
    public required int Dimension { get; init; }
    public string Method { get; init; } = "logistic regression of match / no match on z = (cos - mean_ref) / std_ref and cos, classes weighted equally";
    public required double A { get; init; }
    public required double B { get; init; }
    public required double C { get; init; }
    public double DefaultMinRelevance { get; init; } = Relevance.DefaultMinRelevance;
    public required int ReferenceCount { get; init; }
    public required CalibrationData Data { get; init; }
    public required CalibrationQuality Quality { get; init; }

    [JsonIgnore]
    public float[][] Reference { get; private set; } = [];

    public QueryRelevance ForQuery(float[] queryVector)
    {
        if (queryVector.Length != Dimension) throw new InputException($"the query vector has {queryVector.Length} values, the calibration {Dimension}");
        var (mean, std) = ReferenceStats(Reference, queryVector);
        return new QueryRelevance(A / std + B, C - A * mean / std, mean, std, "calibrated cosine (calibration.json)");
    }

    /// <summary>Mean and standard deviation (at least 1e-3) of the query's cosines to the reference images.</summary>
    public static (double Mean, double Std) ReferenceStats(float[][] reference, float[] query)
    {
        double sum = 0, sumSq = 0;
        foreach (var r in reference)
        {
            var c = (double)Similarity.Cosine(r, query);
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
        RelevanceCalibration calibration;
        try
        {
            calibration = JsonSerializer.Deserialize<RelevanceCalibration>(File.ReadAllText(path), Json)
                ?? throw new InputException($"{path}: empty calibration");
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not a relevance calibration ({e.Message}); recompute it with rsgeo eval calibrate --write");
        }
        var refPath = Path.Combine(Path.GetDirectoryName(path)!, ReferenceFileName);
        if (!File.Exists(refPath)) throw new InputException($"{path}: its reference embeddings {ReferenceFileName} are missing; recompute with rsgeo eval calibrate --write");
        var bytes = File.ReadAllBytes(refPath);
        var expected = (long)calibration.ReferenceCount * calibration.Dimension * sizeof(float);
        if (bytes.Length != expected)
            throw new InputException($"{refPath} has {bytes.Length} bytes, expected {expected} ({calibration.ReferenceCount} x {calibration.Dimension} float32)");
        var all = new float[calibration.ReferenceCount * calibration.Dimension];
        Buffer.BlockCopy(bytes, 0, all, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("calibration references are little-endian");
        calibration.Reference = Enumerable.Range(0, calibration.ReferenceCount)
            .Select(i => all.AsSpan(i * calibration.Dimension, calibration.Dimension).ToArray()).ToArray();
        return calibration;
    }

    /// <summary>Writes calibration.json and calibration-reference.bin into <paramref name="directory"/>.</summary>
    public void Save(string directory, float[][] reference)
    {
        Reference = reference;
        var bytes = new byte[reference.Length * Dimension * sizeof(float)];
        for (var i = 0; i < reference.Length; i++) Buffer.BlockCopy(reference[i], 0, bytes, i * Dimension * sizeof(float), Dimension * sizeof(float));
        File.WriteAllBytes(Path.Combine(directory, ReferenceFileName), bytes);
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json) + "\n");
    }

    internal void SetReference(float[][] reference) => Reference = reference;
}

/// <summary>Which data a calibration was fitted and checked on.</summary>
public sealed record CalibrationData(
    string Images,
    string Captions,
    string? Subset,
    int ImageCount,
    int ReferenceImages,
    int FitPairs,
    int CheckPairs,
    int Positives,
    int Negatives,
    string Pairs);

/// <summary>How well a calibration separates and predicts on the held-out half: ROC AUC, expected calibration error, reliability bins.</summary>
public sealed record CalibrationQuality(double Auc, double ExpectedCalibrationError, IReadOnlyList<ReliabilityBin> Reliability);

/// <summary>One bin of the reliability curve: pairs whose predicted relevance falls in [From, To), their mean prediction and the (class-balanced) fraction that truly match.</summary>
public sealed record ReliabilityBin(double From, double To, int Pairs, double Predicted, double Observed);
