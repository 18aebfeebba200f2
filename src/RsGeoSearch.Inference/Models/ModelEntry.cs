namespace RsGeoSearch.Inference.Models;

/// <summary>A model folder found on the search path. <see cref="Shadowed"/>: an earlier root has a model of the same name.</summary>
public sealed record ModelEntry(
    string Name,
    string Directory,
    string Source,
    ModelStatus Status,
    ModelFamily? Family,
    int? EmbeddingDim,
    ImagePreprocessing? Preprocessing,
    string? Problem,
    bool Shadowed);
