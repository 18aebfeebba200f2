using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Models;

/// <summary>
/// What the image encoder expects. The Raster stage reads chips at <see cref="Size"/>×<see cref="Size"/> with
/// <see cref="Resize"/> and <see cref="Interpolation"/>, as RGB in [0, 1]; the encoder then applies
/// (x - <see cref="Mean"/>) / <see cref="Std"/> per channel.
/// </summary>
public sealed record ImagePreprocessing(int Size, ResizeMode Resize, Interpolation Interpolation, float[] Mean, float[] Std)
{
    public override string ToString() =>
        $"{Size}px {Resize switch { ResizeMode.Squash => "squash", _ => "shortest-side + centre crop" }} {Interpolation.ToString().ToLowerInvariant()} mean=[{string.Join(", ", Mean)}] std=[{string.Join(", ", Std)}]";
}
