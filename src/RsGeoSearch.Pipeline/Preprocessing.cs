using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Raster;
using InferenceResize = RsGeoSearch.Inference.Models.ResizeMode;
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

    public static Raster.ResizeMode ResizeFor(Model model) => model.Preprocessing.Resize == InferenceResize.ShortestSideCenterCrop
        ? Raster.ResizeMode.ShortestSideCenterCrop
        : Raster.ResizeMode.Squash;

    /// <summary>An encoded image (PNG, JPEG, GeoTIFF ... bytes) at the model's input size.</summary>
    public static ChipImage ReadImage(Model model, ReadOnlySpan<byte> data, string name)
    {
        if (data.Length == 0) throw new InputException($"{name}: the image is empty");
        var size = model.Preprocessing.Size;
        return ImageReader.Read(data, name, size, size, ResizeFor(model), ResamplingFor(model));
    }

    /// <summary>An image file at the model's input size.</summary>
    public static ChipImage ReadImage(Model model, string path)
    {
        var size = model.Preprocessing.Size;
        return ImageReader.Read(path, size, size, ResizeFor(model), ResamplingFor(model));
    }
}
