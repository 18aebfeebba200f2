namespace RsGeoSearch.Store;

/// <summary>A registered embedding space: its id in the catalog, its name and its vector dimension.</summary>
public sealed record ModelInfo(int Id, string Name, int Dimension)
{
    /// <summary>Name of the model's HNSW index on rsgeo.embeddings.</summary>
    public string IndexName => $"embeddings_hnsw_m{Id}";
}
