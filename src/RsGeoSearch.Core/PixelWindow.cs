namespace RsGeoSearch.Core;

/// <summary>A rectangle of source pixels at full resolution: offset (X, Y) and size (Width, Height).</summary>
public readonly record struct PixelWindow(int X, int Y, int Width, int Height)
{
    public override string ToString() => $"{X},{Y},{Width},{Height}";
}
