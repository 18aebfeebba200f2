namespace RsGeoSearch.Core;

/// <summary>A model the catalogue can use: its name, family (clip, siglip, rsgeo), embedding size and whether it is the default.</summary>
public sealed record ModelSummary(string Name, string Family, int Dimension, bool IsDefault);
