namespace RsGeoSearch.Core;

/// <summary>A chip with its relevance to a query (cosine similarity), or no score when the query had no text, image or example.</summary>
public sealed record ScoredChip(ChipRecord Chip, double? Score);
