using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline.Search;

namespace RsGeoSearch.Pipeline.Evaluation;

/// <summary>
/// Fits a cosine model's relevance calibration (<see cref="RelevanceCalibration"/>) on labelled images
/// (ImageFolder layout, optionally with captions):
/// <list type="number">
/// <item>up to 256 images (a seeded sample, at most a quarter) become the reference set whose cosines give each
/// query its null distribution (mean, std); they take no part in the pairs;</item>
/// <item>the other images are split in two halves (fit, check); for each image, matching pairs are its class label and
/// up to two of its captions; non-matching pairs are two labels of other classes, two captions of images of other
/// classes and two nonsense strings (random letters, digits, emoji);</item>
/// <item>texts are embedded as search embeds a query (<see cref="QueryVector.FromTexts"/>), and a logistic regression
/// p = σ(a·z + b·cos + c) with both classes weighted equally is fitted on the fit half;</item>
/// <item>on the check half: ROC AUC, the reliability curve (10 bins of predicted relevance: mean prediction vs the
/// class-balanced fraction of true matches) and the expected calibration error.</item>
/// </list>
/// </summary>
public static class RelevanceCalibrator
{
    private const int MaxReference = 256;

    public static (RelevanceCalibration Calibration, float[][] Reference) Fit(
        Model model, LabelledImageFolder data, IReadOnlyDictionary<string, IReadOnlyList<string>>? captions,
        string imagesDescription, string captionsDescription, string? subsetDescription,
        IProgress<EvaluationProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Images.Count < 20) throw new InputException($"calibration needs at least 20 labelled images; {data.Root} has {data.Images.Count}");
        var rng = new Random(22);
        var order = data.Images.OrderBy(_ => rng.Next()).ToList();
        var referenceCount = Math.Min(MaxReference, order.Count / 4);

        var embeddings = new float[order.Count][];
        progress?.Report(new EvaluationProgress("images", 0, order.Count));
        for (var i = 0; i < order.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            embeddings[i] = model.EncodeImage(Preprocessing.ReadImage(model, order[i].Path));
            progress?.Report(new EvaluationProgress("images", i + 1, order.Count));
        }
        var reference = embeddings.Take(referenceCount).ToArray();

        // Texts: class labels, captions, nonsense.
        var texts = new List<string>();
        var textIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        int Text(string t)
        {
            if (!textIndex.TryGetValue(t, out var i)) { i = texts.Count; texts.Add(t); textIndex[t] = i; }
            return i;
        }
        var nonsense = NonsenseTexts(new Random(2022), 120);
        var pairs = new List<(int Image, int Text, bool Match)>();
        var captionsOf = new List<string>[order.Count];
        for (var i = 0; i < order.Count; i++)
            captionsOf[i] = captions is not null && captions.TryGetValue(Path.GetFileName(order[i].Path), out var list)
                ? list.Distinct(StringComparer.Ordinal).ToList() : [];
        var classes = data.Classes;
        for (var i = referenceCount; i < order.Count; i++)
        {
            var own = order[i].ClassIndex;
            pairs.Add((i, Text(classes[own].Label), true));
            foreach (var caption in captionsOf[i].OrderBy(_ => rng.Next()).Take(2)) pairs.Add((i, Text(caption), true));
            for (var k = 0; k < 2; k++)
            {
                var other = rng.Next(classes.Count - 1);
                if (other >= own) other++;
                pairs.Add((i, Text(classes[other].Label), false));
            }
            if (captions is not null)
                for (int k = 0, tries = 0; k < 2 && tries < 50; tries++)
                {
                    var j = referenceCount + rng.Next(order.Count - referenceCount);
                    if (order[j].ClassIndex == own || captionsOf[j].Count == 0) continue;
                    pairs.Add((i, Text(captionsOf[j][rng.Next(captionsOf[j].Count)]), false));
                    k++;
                }
            for (var k = 0; k < 2; k++) pairs.Add((i, Text(nonsense[rng.Next(nonsense.Count)]), false));
        }

        progress?.Report(new EvaluationProgress("texts", 0, texts.Count));
        var vectors = new float[texts.Count][];
        const int chunk = 256;
        for (var start = 0; start < texts.Count; start += chunk)
        {
            ct.ThrowIfCancellationRequested();
            var n = Math.Min(chunk, texts.Count - start);
            QueryVector.FromTexts(model, texts.GetRange(start, n)).CopyTo(vectors, start);
            progress?.Report(new EvaluationProgress("texts", start + n, texts.Count));
        }
        var stats = vectors.Select(v => RelevanceCalibration.ReferenceStats(reference, v)).ToArray();

        // Features per pair; images alternate between the fit and the check half.
        var fit = new List<(double Z, double Cos, bool Match)>();
        var check = new List<(double Z, double Cos, bool Match)>();
        foreach (var (image, text, match) in pairs)
        {
            var cos = (double)Similarity.Cosine(embeddings[image], vectors[text]);
            var (mean, std) = stats[text];
            ((image - referenceCount) % 2 == 0 ? fit : check).Add(((cos - mean) / std, cos, match));
        }
        var (a, b, c) = LogisticRegression(fit);
        var predicted = check.Select(p => (P: Relevance.Sigmoid(a * p.Z + b * p.Cos + c), p.Match)).ToList();
        var quality = Quality(predicted);
        var calibration = new RelevanceCalibration
        {
            Model = model.Name,
            Fingerprint = model.Fingerprint,
            Dimension = model.Dimension,
            A = Math.Round(a, 6),
            B = Math.Round(b, 6),
            C = Math.Round(c, 6),
            ReferenceCount = reference.Length,
            Data = new CalibrationData(imagesDescription, captionsDescription, subsetDescription, order.Count, reference.Length,
                fit.Count, check.Count, pairs.Count(p => p.Match), pairs.Count(p => !p.Match),
                "match: the image's class label and up to 2 of its captions; no match: 2 labels of other classes, " +
                "2 captions of images of other classes, 2 of 120 nonsense strings; texts embedded as search queries (with the model's prompt templates)"),
            Quality = quality,
        };
        calibration.SetReference(reference);
        return (calibration, reference);
    }

    /// <summary>Random strings nobody would mean: letters, digits, emoji and mixtures (seeded, so reproducible).</summary>
    public static IReadOnlyList<string> NonsenseTexts(Random rng, int count)
    {
        string[] emoji = ["🚀", "🍕", "🎈", "🐙", "🧦", "🎻", "🦄", "🌮", "📎", "🧲"];
        const string letters = "abcdefghijklmnopqrstuvwxyz";
        string Word(int min, int max) => new(Enumerable.Range(0, rng.Next(min, max + 1)).Select(_ => letters[rng.Next(letters.Length)]).ToArray());
        var list = new List<string>(count);
        while (list.Count < count)
        {
            var kind = list.Count % 4;
            var text = kind switch
            {
                0 => string.Join(' ', Enumerable.Range(0, rng.Next(1, 4)).Select(_ => Word(3, 9))),
                1 => rng.Next(10, 99999).ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + Word(2, 5),
                2 => Word(4, 8) + " " + string.Concat(Enumerable.Range(0, rng.Next(1, 4)).Select(_ => emoji[rng.Next(emoji.Length)])),
                _ => string.Concat(Enumerable.Range(0, rng.Next(2, 5)).Select(_ => emoji[rng.Next(emoji.Length)])),
            };
            list.Add(text);
        }
        return list;
    }

    /// <summary>Logistic regression on (z, cos) with an intercept, both classes weighted equally (Newton's method, small ridge).</summary>
    internal static (double A, double B, double C) LogisticRegression(IReadOnlyList<(double Z, double Cos, bool Match)> samples)
    {
        var positives = samples.Count(s => s.Match);
        var negatives = samples.Count - positives;
        if (positives == 0 || negatives == 0) throw new InputException("calibration needs both matching and non-matching pairs");
        double wPos = samples.Count / (2.0 * positives), wNeg = samples.Count / (2.0 * negatives);
        var w = new double[3];
        for (var iteration = 0; iteration < 50; iteration++)
        {
            var g = new double[3];
            var h = new double[3, 3];
            foreach (var s in samples)
            {
                double[] x = [s.Z, s.Cos, 1];
                var p = Relevance.Sigmoid(w[0] * x[0] + w[1] * x[1] + w[2]);
                var weight = s.Match ? wPos : wNeg;
                var y = s.Match ? 1.0 : 0.0;
                for (var i = 0; i < 3; i++)
                {
                    g[i] += weight * (p - y) * x[i];
                    for (var j = 0; j < 3; j++) h[i, j] += weight * p * (1 - p) * x[i] * x[j];
                }
            }
            for (var i = 0; i < 3; i++) { g[i] += 1e-4 * w[i]; h[i, i] += 1e-4; }
            var step = Solve3(h, g);
            for (var i = 0; i < 3; i++) w[i] -= step[i];
            if (step.Sum(Math.Abs) < 1e-9) break;
        }
        return (w[0], w[1], w[2]);
    }

    private static double[] Solve3(double[,] m, double[] v)
    {
        var a = new double[3, 4];
        for (var i = 0; i < 3; i++) { for (var j = 0; j < 3; j++) a[i, j] = m[i, j]; a[i, 3] = v[i]; }
        for (var col = 0; col < 3; col++)
        {
            var pivot = Enumerable.Range(col, 3 - col).MaxBy(r => Math.Abs(a[r, col]));
            for (var j = 0; j < 4; j++) (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            for (var r = 0; r < 3; r++)
            {
                if (r == col || a[col, col] == 0) continue;
                var f = a[r, col] / a[col, col];
                for (var j = col; j < 4; j++) a[r, j] -= f * a[col, j];
            }
        }
        return [a[0, 3] / a[0, 0], a[1, 3] / a[1, 1], a[2, 3] / a[2, 2]];
    }

    /// <summary>AUC, class-balanced reliability curve (10 bins) and expected calibration error of predictions.</summary>
    public static CalibrationQuality Quality(IReadOnlyList<(double P, bool Match)> predicted)
    {
        var positives = predicted.Count(p => p.Match);
        var negatives = predicted.Count - positives;
        double wPos = positives == 0 ? 0 : 1.0 / positives, wNeg = negatives == 0 ? 0 : 1.0 / negatives;
        // AUC: probability that a random match outranks a random non-match (ties count half).
        var sorted = predicted.OrderBy(p => p.P).ToList();
        double rankSum = 0;
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j < sorted.Count && sorted[j].P == sorted[i].P) j++;
            var midRank = (i + j + 1) / 2.0;
            for (var k = i; k < j; k++) if (sorted[k].Match) rankSum += midRank;
            i = j;
        }
        var auc = positives == 0 || negatives == 0 ? double.NaN : (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
        var bins = new List<ReliabilityBin>();
        double ece = 0, total = 0;
        for (var bin = 0; bin < 10; bin++)
        {
            double from = bin / 10.0, to = (bin + 1) / 10.0;
            var inBin = predicted.Where(p => p.P >= from && (p.P < to || (bin == 9 && p.P <= 1))).ToList();
            if (inBin.Count == 0) continue;
            double wSum = 0, wMatch = 0, wPred = 0;
            foreach (var p in inBin)
            {
                var weight = p.Match ? wPos : wNeg;
                wSum += weight;
                wPred += weight * p.P;
                if (p.Match) wMatch += weight;
            }
            var predictedMean = wPred / wSum;
            var observed = wMatch / wSum;
            bins.Add(new ReliabilityBin(from, to, inBin.Count, Math.Round(predictedMean, 4), Math.Round(observed, 4)));
            ece += wSum * Math.Abs(predictedMean - observed);
            total += wSum;
        }
        return new CalibrationQuality(Math.Round(auc, 4), Math.Round(total == 0 ? 0 : ece / total, 4), bins);
    }
}
