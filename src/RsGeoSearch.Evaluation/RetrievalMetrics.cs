namespace RsGeoSearch.Evaluation;

/// <summary>
/// Cross-modal retrieval metrics as in the RSICD/RSITMD literature: text→image recall@k (the caption's image is in the
/// top k of all images), image→text recall@k (any of the image's captions is in the top k of all captions), and the
/// mean recall mR = mean of the six recalls. A query's rank is the number of candidates scoring strictly higher than
/// its (best) correct one, as in models/rsgeo-mini/train/evaluate.py: identical texts tie and count as hits.
/// </summary>
public sealed class RetrievalMetrics
{
    private RetrievalMetrics(int images, int captions, RecallAtK textToImage, RecallAtK imageToText)
    {
        Images = images;
        Captions = captions;
        TextToImage = textToImage;
        ImageToText = imageToText;
    }

    public int Images { get; }
    public int Captions { get; }
    public RecallAtK TextToImage { get; }
    public RecallAtK ImageToText { get; }
    public double MeanRecall => (TextToImage.R1 + TextToImage.R5 + TextToImage.R10 + ImageToText.R1 + ImageToText.R5 + ImageToText.R10) / 6;

    /// <param name="images">L2-normalised image embeddings.</param>
    /// <param name="texts">L2-normalised caption embeddings.</param>
    /// <param name="owners">For each caption, the index of its image.</param>
    public static RetrievalMetrics Compute(IReadOnlyList<float[]> images, IReadOnlyList<float[]> texts, IReadOnlyList<int> owners)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(owners);
        if (texts.Count != owners.Count) throw new ArgumentException($"{texts.Count} captions but {owners.Count} owners");
        if (images.Count == 0 || texts.Count == 0) throw new ArgumentException("retrieval needs images and captions");
        var own = new List<int>[images.Count];
        for (var i = 0; i < own.Length; i++) own[i] = [];
        for (var c = 0; c < owners.Count; c++)
        {
            if ((uint)owners[c] >= (uint)images.Count) throw new ArgumentException($"caption {c}: image {owners[c]} is not in 0..{images.Count - 1}");
            own[owners[c]].Add(c);
        }
        if (Array.FindIndex(own, o => o.Count == 0) is var lonely and >= 0) throw new ArgumentException($"image {lonely} has no caption");

        // Each direction scores its queries against all candidates one query at a time (memory O(candidates)).
        var t2i = new int[texts.Count];
        Parallel.For(0, texts.Count, () => new float[images.Count], (c, _, row) =>
        {
            Ranking.Scores(texts[c], images, row);
            t2i[c] = Ranking.Rank(row, owners[c]);
            return row;
        }, _ => { });
        var i2t = new int[images.Count];
        Parallel.For(0, images.Count, () => new float[texts.Count], (i, _, row) =>
        {
            Ranking.Scores(images[i], texts, row);
            var best = int.MaxValue;
            foreach (var c in own[i]) best = Math.Min(best, Ranking.Rank(row, c));
            i2t[i] = best;
            return row;
        }, _ => { });
        return new RetrievalMetrics(images.Count, texts.Count, RecallAtK.FromPositions(t2i), RecallAtK.FromPositions(i2t));
    }
}
