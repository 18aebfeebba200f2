namespace RsGeoSearch.Raster;

/// <summary>How band values become [0, 1].</summary>
public enum StretchMode
{
    /// <summary>8-bit data: value / 255; anything else: <see cref="Percentile"/>.</summary>
    Auto = 0,
    /// <summary>Divide by the pixel type's maximum (255, 65535, ...); floating-point data is taken as already in [0, 1].</summary>
    None = 1,
    /// <summary>Per band, map the low..high percentile of the scene's histogram (default 2..98) to 0..1, clamped.</summary>
    Percentile = 2,
}
