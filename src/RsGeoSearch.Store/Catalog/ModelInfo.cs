namespace RsGeoSearch.Store;

/// <summary>
/// A registered embedding space: its id in the catalog, its name, its vector dimension, and the fingerprint of
/// the weights that made its embeddings (null when unknown: registered before fingerprints were recorded).
/// </summary>
public sealed record ModelInfo(int Id, string Name, int Dimension, string? Fingerprint = null)
{
    /// <summary>Name of the model's HNSW index on rsgeo.embeddings.</summary>
    public string IndexName => $"embeddings_hnsw_m{Id}";
}

/// <summary>The catalogue's embeddings of a model were made by other weights than the model folder now holds.</summary>
public sealed class ModelWeightsChangedException(string name, string? stored, string current)
    : Core.InputException($"the catalogue's embeddings of model '{name}' were made by other weights ({(stored is null ? "not recorded" : $"fingerprint {stored}")}; " +
                          $"the model folder now has {current}), so they cannot be compared with its new embeddings. Re-embed the imagery with " +
                          $"`rsgeo ingest --reembed PATHS` (replaces that model's embeddings; chips and other models are kept)")
{
    public string ModelName { get; } = name;
}
