namespace RsGeoSearch.Store;

/// <summary>
/// Two chips of the same place, <see cref="Before"/> acquired earlier than <see cref="After"/>: their footprints'
/// intersection over union (1 for the same grid cell) and the cosine distance (1 − cosine) of their embeddings.
/// </summary>
public readonly record struct ChipPair(long Before, long After, double Iou, double Distance);
