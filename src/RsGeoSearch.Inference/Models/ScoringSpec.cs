namespace RsGeoSearch.Inference.Models;

/// <summary>The manifest's scoring: kind, logit scale (the multiplier, already exponentiated) and bias.</summary>
public sealed record ScoringSpec(ScoringKind Kind, float LogitScale, float LogitBias);
