namespace RsGeoSearch.Raster;

/// <summary>How a whole image is fitted to the encoder's input size.</summary>
public enum ResizeMode
{
    /// <summary>Resize to exactly width x height (aspect ratio not kept).</summary>
    Squash = 0,
    /// <summary>CLIP style: scale so the shorter side fits, then take the centre; the crop is read as a source window, so GDAL resamples once.</summary>
    ShortestSideCenterCrop = 1,
}
