using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;

namespace RsGeoSearch.Evaluation;

/// <summary>
/// Zero-shot classification of a labelled folder with one model: class labels embedded with prompt ensembling
/// (<see cref="Model.EncodeLabels"/>), every image read through <see cref="Preprocessing.ReadImage(Model, string)"/>
/// (the ingest path) and embedded, the class with the highest cosine predicted. Unreadable images are skipped and listed.
/// </summary>
public sealed class ZeroShotEvaluation
{
    private ZeroShotEvaluation(string model, IReadOnlyList<string> templates, IReadOnlyList<EvalClass> classes,
        ClassificationMetrics metrics, IReadOnlyList<ImagePrediction> predictions, IReadOnlyList<SkippedImage> skipped)
    {
        Model = model;
        Templates = templates;
        Classes = classes;
        Metrics = metrics;
        Predictions = predictions;
        Skipped = skipped;
    }

    public string Model { get; }

    /// <summary>The prompt templates averaged per class ("{}" alone when the label text was used as is).</summary>
    public IReadOnlyList<string> Templates { get; }

    public IReadOnlyList<EvalClass> Classes { get; }
    public ClassificationMetrics Metrics { get; }
    public IReadOnlyList<ImagePrediction> Predictions { get; }
    public IReadOnlyList<SkippedImage> Skipped { get; }

    /// <param name="templates">Prompt templates with "{}" for the label; null or empty: the model's own templates.</param>
    public static ZeroShotEvaluation Run(Model model, LabelledImageFolder data, IReadOnlyList<string>? templates = null,
        IProgress<EvaluationProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (templates?.FirstOrDefault(t => !t.Contains("{}", StringComparison.Ordinal)) is { } bad)
            throw new InputException($"--template '{bad}' must contain {{}} where the class label goes");
        var used = templates is { Count: > 0 } ? templates : model.PromptTemplates.Count > 0 ? model.PromptTemplates : ["{}"];
        var labels = data.Classes.Select(c => c.Label).ToArray();
        var labelVectors = model.EncodeLabels(labels, used);

        var predictions = new List<ImagePrediction>(data.Images.Count);
        var skipped = new List<SkippedImage>();
        var truth = new List<int>(data.Images.Count);
        var scores = new List<float[]>(data.Images.Count);
        progress?.Report(new EvaluationProgress("images", 0, data.Images.Count));
        for (var i = 0; i < data.Images.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var image = data.Images[i];
            float[] embedding;
            try
            {
                embedding = model.EncodeImage(Preprocessing.ReadImage(model, image.Path));
            }
            catch (Exception e) when (e is InputException or Raster.RasterException)
            {
                skipped.Add(new SkippedImage(image.Path, e.Message));
                progress?.Report(new EvaluationProgress("images", i + 1, data.Images.Count));
                continue;
            }
            var s = Ranking.Scores(embedding, labelVectors);
            var best = Ranking.Best(s);
            predictions.Add(new ImagePrediction(image.Path, image.ClassIndex, best, s[best], Ranking.Position(s, image.ClassIndex)));
            truth.Add(image.ClassIndex);
            scores.Add(s);
            progress?.Report(new EvaluationProgress("images", i + 1, data.Images.Count));
        }
        if (predictions.Count == 0)
            throw new InputException($"{data.Root}: none of its {data.Images.Count} images could be read (first: {skipped[0].Path}: {skipped[0].Reason})");
        var metrics = ClassificationMetrics.Compute(data.Classes.Count, truth, scores);
        return new ZeroShotEvaluation(model.Name, used.ToArray(), data.Classes, metrics, predictions, skipped);
    }
}
