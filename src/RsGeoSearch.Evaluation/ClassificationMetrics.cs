namespace RsGeoSearch.Evaluation;

/// <summary>
/// Zero-shot classification metrics: top-1 and top-5 accuracy over images, per-class accuracy, their mean
/// (balanced accuracy) and the confusion matrix (rows: true class, columns: predicted class, counts).
/// </summary>
public sealed class ClassificationMetrics
{
    private ClassificationMetrics(int images, int top1, int top5, IReadOnlyList<ClassAccuracy> perClass, int[][] confusion)
    {
        Images = images;
        Top1Correct = top1;
        Top5Correct = top5;
        PerClass = perClass;
        Confusion = confusion;
    }

    public int Images { get; }
    public int Top1Correct { get; }
    public int Top5Correct { get; }
    public double Top1 => (double)Top1Correct / Images;

    /// <summary>Share of images whose class is among the 5 best-scored (1 when there are 5 classes or fewer).</summary>
    public double Top5 => (double)Top5Correct / Images;

    public IReadOnlyList<ClassAccuracy> PerClass { get; }

    /// <summary>Mean of the per-class top-1 accuracies over classes that have images.</summary>
    public double MeanClassAccuracy => PerClass.Where(c => c.Images > 0).Average(c => c.Top1!.Value);

    /// <summary>Confusion[true][predicted] = number of images.</summary>
    public IReadOnlyList<int[]> Confusion { get; }

    /// <param name="classCount">Number of classes (candidates).</param>
    /// <param name="truth">True class of each image.</param>
    /// <param name="scores">Each image's score for each class (see <see cref="Ranking"/>).</param>
    public static ClassificationMetrics Compute(int classCount, IReadOnlyList<int> truth, IReadOnlyList<float[]> scores)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(scores);
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount));
        if (truth.Count != scores.Count) throw new ArgumentException($"{truth.Count} truths but {scores.Count} score rows");
        if (truth.Count == 0) throw new ArgumentException("no images to evaluate", nameof(truth));
        var confusion = Enumerable.Range(0, classCount).Select(_ => new int[classCount]).ToArray();
        var images = new int[classCount];
        var top1 = new int[classCount];
        var top5 = new int[classCount];
        for (var i = 0; i < truth.Count; i++)
        {
            var t = truth[i];
            if ((uint)t >= (uint)classCount) throw new ArgumentException($"image {i}: class {t} is not in 0..{classCount - 1}");
            if (scores[i].Length != classCount) throw new ArgumentException($"image {i}: {scores[i].Length} scores for {classCount} classes");
            var predicted = Ranking.Best(scores[i]);
            confusion[t][predicted]++;
            images[t]++;
            if (predicted == t) top1[t]++;
            if (Ranking.Position(scores[i], t) < 5) top5[t]++;
        }
        var perClass = Enumerable.Range(0, classCount).Select(c => new ClassAccuracy(images[c], top1[c], top5[c])).ToArray();
        return new ClassificationMetrics(truth.Count, top1.Sum(), top5.Sum(), perClass, confusion);
    }
}
