using NetTopologySuite.Geometries;

namespace RsGeoSearch.Core;

/// <summary>
/// One change: the same place seen in <see cref="Before"/> and <see cref="After"/> (an earlier and a later chip).
/// <see cref="Score"/> ranks results (higher = more of the asked-for change); <see cref="Change"/> is 1 − cosine
/// of the two embeddings; <see cref="NormalisedChange"/> is Change divided by the place's typical change between
/// successive dates (when asked for); <see cref="TextScore"/> is the text-guided score (when text was given);
/// <see cref="Iou"/> is the footprints' intersection over union (1 for the same grid); <see cref="Footprint"/>
/// where the two chips overlap.
/// </summary>
public sealed record ChangeRecord(
    ChipRecord Before,
    ChipRecord After,
    double Score,
    double Change,
    double? NormalisedChange,
    double? TextScore,
    double Iou,
    Polygon? Footprint);
