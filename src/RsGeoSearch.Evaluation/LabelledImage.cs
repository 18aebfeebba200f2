namespace RsGeoSearch.Evaluation;

/// <summary>An image file and the index of its class (its sub-folder).</summary>
public sealed record LabelledImage(string Path, int ClassIndex);
