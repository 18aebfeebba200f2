namespace RsGeoSearch.Raster;

/// <summary>What a band holds according to the file (GDALColorInterp values).</summary>
public enum ColorInterpretation
{
    Undefined = 0,
    Gray = 1,
    Palette = 2,
    Red = 3,
    Green = 4,
    Blue = 5,
    Alpha = 6,
    Hue = 7,
    Saturation = 8,
    Lightness = 9,
    Cyan = 10,
    Magenta = 11,
    Yellow = 12,
    Black = 13,
    YCbCrY = 14,
    YCbCrCb = 15,
    YCbCrCr = 16,
}
