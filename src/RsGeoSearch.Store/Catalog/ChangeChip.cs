namespace RsGeoSearch.Store;

/// <summary>A chip that takes part in change detection: when it was acquired, and its cosine to each query text vector (in query order).</summary>
public sealed record ChangeChip(long Id, DateTimeOffset AcquiredAt, float[] TextCosines);
