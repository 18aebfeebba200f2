namespace RsGeoSearch.Raster;

/// <summary>Resampling used by GDAL inside RasterIO when the output size differs from the source window (GDALRIOResampleAlg).</summary>
public enum Resampling
{
    Nearest = 0,
    Bilinear = 1,
    Cubic = 2,
    CubicSpline = 3,
    Lanczos = 4,
    Average = 5,
    Mode = 6,
    Gauss = 7,
}
