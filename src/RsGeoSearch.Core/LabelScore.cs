namespace RsGeoSearch.Core;

/// <summary>A text (a class label or a caption) and its score for an image: a probability for the model's scoring rule.</summary>
public sealed record LabelScore(string Label, double Score, double Cosine);
