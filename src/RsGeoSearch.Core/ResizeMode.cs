namespace RsGeoSearch.Core;

/// <summary>How a whole image is fitted to an encoder's square input size (model manifests name it; the raster reader applies it).</summary>
public enum ResizeMode
{
    /// <summary>Resize both sides to the size, ignoring the aspect ratio (SigLIP, rsgeo).</summary>
    Squash = 0,
    /// <summary>CLIP style: scale so the shorter side fits, then take the centre; the crop is read as a source window, so GDAL resamples once.</summary>
    ShortestSideCenterCrop = 1,
}
