namespace RsGeoSearch.Store;

/// <summary>A chip's place in its scene's grid: pyramid level, column and row (unique within a scene).</summary>
public readonly record struct ChipKey(int Level, int Col, int Row);
