using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline.Search;
using RsGeoSearch.Pipeline;

namespace RsGeoSearch.Evaluation;

/// <summary>
/// Fits a cosine model's relevance calibration (<see cref="RelevanceCalibration"/>) on labelled images
/// (ImageFolder layout, optionally with captions):
/// <list type="number">
/// <item>the reference texts are the class labels and 30 nonsense strings: a chip's cosines to them are its null
/// distribution (mean, std), the generic descriptions a relevant query must beat;</item>
/// <item>the images are split in two halves (fit, check); for each image, matching pairs are its class label and
/// up to two of its captions; non-matching pairs are two labels of other classes, two captions of images of other
/// classes and two nonsense strings (random letters, digits, emoji);</item>
/// <item>texts are embedded as search embeds a query (<see cref="QueryVector.FromTexts"/>), and a logistic regression
/// p = σ(a·z + d·k + c), k the share of the text's words the tokenizer knows, with both classes weighted equally is
/// fitted on the fit half (the stored form σ(a·z + b·cos + d·k + c) keeps b = 0: raw cosines are not comparable
/// across images);</item>
/// <item>on the check half: ROC AUC, the reliability curve (10 bins of predicted relevance: mean prediction vs the
/// class-balanced fraction of true matches) and the expected calibration error.</item>
/// </list>
/// </summary>
public static class RelevanceCalibrator
{
    public static RelevanceCalibration Fit(
        Model model, LabelledImageFolder data, IReadOnlyDictionary<string, IReadOnlyList<string>>? captions,
        string imagesDescription, string captionsDescription, string? subsetDescription,
        IProgress<EvaluationProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Images.Count < 20) throw new InputException($"calibration needs at least 20 labelled images; {data.Root} has {data.Images.Count}");
        var rng = new Random(22);
        var order = data.Images.OrderBy(_ => rng.Next()).ToList();
        var referenceTexts = data.Classes.Select(c => c.Label).Concat(NonsenseTexts(new Random(7), 30)).Distinct(StringComparer.Ordinal).ToList();

        var embeddings = new float[order.Count][];
        progress?.Report(new EvaluationProgress("images", 0, order.Count));
        for (var i = 0; i < order.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            embeddings[i] = model.EncodeImage(Preprocessing.ReadImage(model, order[i].Path));
            progress?.Report(new EvaluationProgress("images", i + 1, order.Count));
        }
        var reference = QueryVector.FromTexts(model, referenceTexts);

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
        for (var i = 0; i < order.Count; i++)
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
                    var j = rng.Next(order.Count);
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
        var stats = embeddings.Select(e => RelevanceCalibration.ReferenceStats(reference, e)).ToArray();
        var known = texts.Select(t => Relevance.KnownWordShare(model.Tokenizer, t)).ToArray();

        // Features per pair; images alternate between the fit and the check half.
        var fit = new List<(double[] X, bool Match)>();
        var check = new List<(double[] X, bool Match)>();
        foreach (var (image, text, match) in pairs)
        {
            var cos = (double)Similarity.Cosine(embeddings[image], vectors[text]);
            var (mean, std) = stats[image];
            (image % 2 == 0 ? fit : check).Add(([(cos - mean) / std, known[text], 1], match));
        }
        // z and k, not the raw cosine: cosines are not comparable across images (out-of-domain chips — saturated
        // clouds, empty water — have high cosines to any text, nonsense included), beating the reference texts is.
        var w = LogisticRegression(fit);
        var (a, d, c) = (w[0], w[1], w[2]);
        const double b = 0;
        var predicted = check.Select(p => (P: Relevance.Sigmoid(w[0] * p.X[0] + w[1] * p.X[1] + w[2]), p.Match)).ToList();
        var quality = Quality(predicted);
        var calibration = new RelevanceCalibration
        {
            Model = model.Name,
            Fingerprint = model.Fingerprint,
            Dimension = model.Dimension,
            A = Math.Round(a, 6),
            B = Math.Round(b, 6),
            C = Math.Round(c, 6),
            D = Math.Round(d, 6),
            ReferenceTexts = referenceTexts,
            Data = new CalibrationData(imagesDescription, captionsDescription, subsetDescription, order.Count,
                fit.Count, check.Count, pairs.Count(p => p.Match), pairs.Count(p => !p.Match),
                "match: the image's class label and up to 2 of its captions; no match: 2 labels of other classes, " +
                "2 captions of images of other classes, 2 of 120 nonsense strings; texts embedded as search queries (with the model's prompt templates)"),
            Quality = quality,
        };
        calibration.SetReference(reference);
        return calibration;
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

    /// <summary>Logistic regression on feature vectors (the last feature 1 for the intercept), both classes weighted equally (Newton's method, small ridge).</summary>
    internal static double[] LogisticRegression(IReadOnlyList<(double[] X, bool Match)> samples)
    {
        var positives = samples.Count(s => s.Match);
        var negatives = samples.Count - positives;
        if (positives == 0 || negatives == 0) throw new InputException("calibration needs both matching and non-matching pairs");
        var n = samples[0].X.Length;
        double wPos = samples.Count / (2.0 * positives), wNeg = samples.Count / (2.0 * negatives);
        var w = new double[n];
        for (var iteration = 0; iteration < 100; iteration++)
        {
            var g = new double[n];
            var h = new double[n, n];
            foreach (var (x, match) in samples)
            {
                var z = 0.0;
                for (var i = 0; i < n; i++) z += w[i] * x[i];
                var p = Relevance.Sigmoid(z);
                var weight = match ? wPos : wNeg;
                var y = match ? 1.0 : 0.0;
                for (var i = 0; i < n; i++)
                {
                    g[i] += weight * (p - y) * x[i];
                    for (var j = 0; j < n; j++) h[i, j] += weight * p * (1 - p) * x[i] * x[j];
                }
            }
            for (var i = 0; i < n; i++) { g[i] += 1.0 * w[i]; h[i, i] += 1.0; }
            var step = Solve(h, g);
            for (var i = 0; i < n; i++) w[i] -= step[i];
            if (step.Sum(Math.Abs) < 1e-9) break;
        }
        return w;
    }

    /// <summary>Solves m·x = v by Gaussian elimination with partial pivoting (m is small and positive definite).</summary>
    private static double[] Solve(double[,] m, double[] v)
    {
        var n = v.Length;
        var a = new double[n, n + 1];
        for (var i = 0; i < n; i++) { for (var j = 0; j < n; j++) a[i, j] = m[i, j]; a[i, n] = v[i]; }
        for (var col = 0; col < n; col++)
        {
            var pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(a[r, col]));
            for (var j = 0; j <= n; j++) (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
            for (var r = 0; r < n; r++)
            {
                if (r == col || a[col, col] == 0) continue;
                var f = a[r, col] / a[col, col];
                for (var j = col; j <= n; j++) a[r, j] -= f * a[col, j];
            }
        }
        return Enumerable.Range(0, n).Select(i => a[i, n] / a[i, i]).ToArray();
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
