namespace RsGeoSearch.Inference.Models;

/// <summary>How image-text similarities become probabilities.</summary>
public enum ScoringKind
{
    /// <summary>softmax(logit_scale · cos) over the labels (CLIP, rsgeo): relative, sums to 1.</summary>
    Softmax,
    /// <summary>sigmoid(logit_scale · cos + logit_bias) per label (SigLIP): an absolute probability.</summary>
    Sigmoid,
}
