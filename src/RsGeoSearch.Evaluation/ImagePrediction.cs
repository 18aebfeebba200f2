namespace RsGeoSearch.Evaluation;

/// <summary>
/// One image's zero-shot result: its true and predicted class indices, the predicted class's cosine, and the 0-based
/// position of the true class in the ranking (0 = top-1 correct).
/// </summary>
public sealed record ImagePrediction(string Path, int TrueClass, int PredictedClass, float Score, int TruePosition);
