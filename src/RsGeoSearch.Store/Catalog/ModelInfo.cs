namespace RsGeoSearch.Store;

/// <summary>
/// A registered embedding space: its id in the catalog, its name, its vector dimension, the fingerprint of
/// the weights that made its embeddings (null when unknown: registered before fingerprints were recorded),
/// whether its embeddings are stored in half precision (pgvector's halfvec) and the kind of its vector index.
/// </summary>
public sealed record ModelInfo(int Id, string Name, int Dimension, string? Fingerprint = null, bool HalfPrecision = false,
    VectorIndexKind VectorIndex = VectorIndexKind.Hnsw)
{
    /// <summary>From this dimension on a model's embeddings are stored as halfvec unless asked otherwise.</summary>
    public const int HalfPrecisionFromDimension = 512;

    /// <summary>Name of the model's vector index on rsgeo.embeddings (its kind is part of the name).</summary>
    public string IndexName => IndexNameOf(Id, VectorIndex);

    internal static string IndexNameOf(int id, VectorIndexKind kind) => $"embeddings_{kind.Name()}_m{id}";

    /// <summary>The embeddings column that holds this model's vectors.</summary>
    public string Column => HalfPrecision ? "embedding_half" : "embedding";

    /// <summary>pgvector's type of that column: vector or halfvec.</summary>
    public string VectorType => HalfPrecision ? "halfvec" : "vector";

    /// <summary>Cosine distance of <paramref name="alias"/>'s embedding to the (vector) parameter, typed so the model's vector index applies.</summary>
    internal string DistanceTo(string alias, string parameter) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"({alias}.{Column}::{VectorType}({Dimension})) <=> {parameter}::{VectorType}({Dimension})");
}

/// <summary>
/// pgvector's index kinds. HNSW: a graph, built empty and fed by every insert. IVFFlat: the embeddings grouped into
/// lists around centres trained on the stored ones; a search reads the lists nearest the query. On 10^6 real chips
/// (places of near-identical chips) IVFFlat found 0.98 of the true top 10 where HNSW found 0.66 (docs/SCALING.md),
/// and builds 5× faster; it needs embeddings before it is built and a rebuild as they grow.
/// </summary>
public enum VectorIndexKind
{
    Hnsw,
    IvfFlat,
}

/// <summary>The names of the index kinds, as models.vector_index, the index names, the CLI and the bench spell them.</summary>
public static class VectorIndexKinds
{
    public static readonly string[] Names = ["hnsw", "ivfflat"];

    public static string Name(this VectorIndexKind kind) => kind == VectorIndexKind.IvfFlat ? "ivfflat" : "hnsw";

    /// <summary>The kind of that name; null for any other text.</summary>
    public static VectorIndexKind? Parse(string? name) => name switch
    {
        "hnsw" => VectorIndexKind.Hnsw,
        "ivfflat" => VectorIndexKind.IvfFlat,
        _ => null,
    };
}

/// <summary>The catalogue's embeddings of a model were made by other weights than the model folder now holds.</summary>
public sealed class ModelWeightsChangedException(string name, string? stored, string current)
    : Core.InputException($"the catalogue's embeddings of model '{name}' were made by other weights ({(stored is null ? "not recorded" : $"fingerprint {stored}")}; " +
                          $"the model folder now has {current}), so they cannot be compared with its new embeddings. Re-embed the imagery with " +
                          $"`rsgeo ingest --reembed PATHS` (replaces that model's embeddings; chips and other models are kept)")
{
    public string ModelName { get; } = name;
}
