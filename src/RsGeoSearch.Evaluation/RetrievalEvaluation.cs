using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;

namespace RsGeoSearch.Evaluation;

/// <summary>
/// Text↔image retrieval over a <see cref="CaptionSet"/> with one model: images read through the ingest path and
/// embedded one by one, captions embedded in the model's batches, recalls from <see cref="RetrievalMetrics"/>.
/// Unreadable images are skipped (with their captions) and listed.
/// </summary>
public sealed class RetrievalEvaluation
{
    private RetrievalEvaluation(string model, RetrievalMetrics metrics, IReadOnlyList<SkippedImage> skipped)
    {
        Model = model;
        Metrics = metrics;
        Skipped = skipped;
    }

    public string Model { get; }
    public RetrievalMetrics Metrics { get; }
    public IReadOnlyList<SkippedImage> Skipped { get; }

    public static RetrievalEvaluation Run(Model model, CaptionSet data, IProgress<EvaluationProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var images = new List<float[]>(data.Images.Count);
        var skipped = new List<SkippedImage>();
        var bad = new HashSet<int>();
        progress?.Report(new EvaluationProgress("images", 0, data.Images.Count));
        for (var i = 0; i < data.Images.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                images.Add(model.EncodeImage(Preprocessing.ReadImage(model, data.Images[i])));
            }
            catch (Exception e) when (e is InputException or Raster.RasterException)
            {
                skipped.Add(new SkippedImage(data.Images[i], e.Message));
                bad.Add(i);
            }
            progress?.Report(new EvaluationProgress("images", i + 1, data.Images.Count));
        }
        var kept = data.Without(bad);
        if (kept.Images.Count < 2)
            throw new InputException($"retrieval needs at least two readable images; {skipped.Count} of {data.Images.Count} could not be read (first: {skipped[0].Path}: {skipped[0].Reason})");

        // the text encoder's own batch size, so each batch holds the same captions as one EncodeTexts call over all
        var batch = model.Texts.MaxBatchSize;
        var texts = new List<float[]>(kept.Captions.Count);
        progress?.Report(new EvaluationProgress("captions", 0, kept.Captions.Count));
        for (var start = 0; start < kept.Captions.Count; start += batch)
        {
            ct.ThrowIfCancellationRequested();
            var n = Math.Min(batch, kept.Captions.Count - start);
            texts.AddRange(model.EncodeTexts(kept.Captions.Skip(start).Take(n).ToArray()));
            progress?.Report(new EvaluationProgress("captions", start + n, kept.Captions.Count));
        }
        var metrics = RetrievalMetrics.Compute(images, texts, kept.Owners);
        return new RetrievalEvaluation(model.Name, metrics, skipped);
    }
}
