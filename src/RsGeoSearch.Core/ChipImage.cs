namespace RsGeoSearch.Core;

/// <summary>
/// Chip pixels as float32 planar RGB (CHW: all R, then all G, then all B), values in [0, 1],
/// already at the size the encoder wants.
/// </summary>
public sealed class ChipImage
{
    public ChipImage(float[] chw, int width, int height)
    {
        if (chw.Length != 3 * width * height)
            throw new ArgumentException($"expected {3 * width * height} floats for 3x{height}x{width}, got {chw.Length}", nameof(chw));
        Chw = chw;
        Width = width;
        Height = height;
    }

    public float[] Chw { get; }
    public int Width { get; }
    public int Height { get; }
}
