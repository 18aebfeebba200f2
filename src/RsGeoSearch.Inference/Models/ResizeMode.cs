namespace RsGeoSearch.Inference.Models;

/// <summary>How a chip is brought to the encoder's square input size.</summary>
public enum ResizeMode
{
    /// <summary>Resize both sides to the size, ignoring the aspect ratio (SigLIP, rsgeo).</summary>
    Squash,
    /// <summary>Resize so the shorter side equals the size, then crop the centre square (CLIP).</summary>
    ShortestSideCenterCrop,
}
