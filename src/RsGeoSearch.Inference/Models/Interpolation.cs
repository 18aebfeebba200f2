namespace RsGeoSearch.Inference.Models;

/// <summary>Resampling used when resizing chips to the encoder's input size.</summary>
public enum Interpolation
{
    Bilinear,
    Bicubic,
    Nearest,
}
