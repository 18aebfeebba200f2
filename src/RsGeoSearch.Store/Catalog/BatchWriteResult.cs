namespace RsGeoSearch.Store;

/// <summary>What a batch write added: chips new to the catalog and embeddings new for the model (repeats add nothing).</summary>
public readonly record struct BatchWriteResult(int ChipsInserted, int EmbeddingsInserted);
