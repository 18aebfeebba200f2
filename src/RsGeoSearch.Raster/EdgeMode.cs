namespace RsGeoSearch.Raster;

/// <summary>What to do with chips that run past the right or bottom edge of the raster.</summary>
public enum EdgeMode
{
    /// <summary>Keep them: the part outside the raster is padded with zeros and counts as nodata.</summary>
    Pad = 0,
    /// <summary>Drop every chip that does not lie entirely inside the raster.</summary>
    Skip = 1,
}
