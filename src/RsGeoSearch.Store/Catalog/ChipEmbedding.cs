using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>One chip of a scene and its embedding (length = the model's dimension), as the ingest writer stores it.</summary>
public sealed record ChipEmbedding(Chip Chip, float[] Embedding);
