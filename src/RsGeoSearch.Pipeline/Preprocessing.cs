using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Raster;
using Interpolation = RsGeoSearch.Inference.Models.Interpolation;

namespace RsGeoSearch.Pipeline;

/// <summary>Reads pixels the way a model expects them (size, resize mode, interpolation), so GDAL resamples exactly once.</summary>
public static class Preprocessing
{
    public static Resampling ResamplingFor(Model model) => model.Preprocessing.Interpolation switch
    {
        Interpolation.Bicubic => Resampling.Cubic,
        Interpolation.Nearest => Resampling.Nearest,
        _ => Resampling.Bilinear,
    };

    /// <summary>
    /// The most pixels an image given as bytes (an upload) may declare. Decoders expand a small file into its full
    /// size (an 0.9 MB PNG can declare 30000 x 30000 pixels and took ~1 GB of memory to read), so the size a header
    /// declares is checked before any pixel is decoded.
    /// </summary>
    public const long MaxImagePixels = 100_000_000;

    /// <summary>An encoded image (PNG, JPEG, GeoTIFF ... bytes) at the model's input size; at most <see cref="MaxImagePixels"/>.</summary>
    public static ChipImage ReadImage(Model model, ReadOnlySpan<byte> data, string name)
    {
        if (data.Length == 0) throw new InputException($"{name}: the image is empty");
        var size = model.Preprocessing.Size;
        using var dataset = RasterDataset.Open(data, name);
        if ((long)dataset.Width * dataset.Height > MaxImagePixels)
            throw new InputException($"{name} declares {dataset.Width}x{dataset.Height} pixels, more than the limit of {MaxImagePixels / 1_000_000} million; send a smaller image");
        return ImageReader.Read(dataset, size, size, model.Preprocessing.Resize, ResamplingFor(model));
    }

    /// <summary>An image file at the model's input size.</summary>
    public static ChipImage ReadImage(Model model, string path)
    {
        var size = model.Preprocessing.Size;
        return ImageReader.Read(path, size, size, model.Preprocessing.Resize, ResamplingFor(model));
    }
}
