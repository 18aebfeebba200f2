namespace RsGeoSearch.Raster;

/// <summary>Encodings for thumbnails.</summary>
public enum ImageFormat
{
    Png = 0,
    Jpeg = 1,
}
