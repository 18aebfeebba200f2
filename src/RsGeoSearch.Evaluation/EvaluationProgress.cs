namespace RsGeoSearch.Evaluation;

/// <summary>Progress of an evaluation stage ("images", "captions"): <paramref name="Done"/> of <paramref name="Total"/> items.</summary>
public sealed record EvaluationProgress(string Stage, int Done, int Total);
