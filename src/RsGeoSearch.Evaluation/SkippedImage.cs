namespace RsGeoSearch.Evaluation;

/// <summary>An image that could not be read (corrupt, unsupported) and was left out of the evaluation, with the reason.</summary>
public sealed record SkippedImage(string Path, string Reason);
