using RsGeoSearch.Core;

namespace RsGeoSearch.Raster;

/// <summary>
/// Reads a whole plain image (JPEG/PNG/TIFF, georeferenced or not; a file, an upload, or an open dataset) at the
/// encoder's input size as float32 CHW RGB in [0, 1]. GDAL resamples once, inside RasterIO; a centre crop is read
/// as a (fractional) source window rather than cropped after resizing.
/// </summary>
public static class ImageReader
{
    public static ChipImage Read(string path, int width, int height, ResizeMode mode = ResizeMode.Squash,
        Resampling resampling = Resampling.Bilinear, BandMapping? bands = null)
    {
        using var dataset = RasterDataset.Open(path);
        return Read(dataset, width, height, mode, resampling, bands);
    }

    public static ChipImage Read(ReadOnlySpan<byte> data, string name, int width, int height, ResizeMode mode = ResizeMode.Squash,
        Resampling resampling = Resampling.Bilinear, BandMapping? bands = null)
    {
        using var dataset = RasterDataset.Open(data, name);
        return Read(dataset, width, height, mode, resampling, bands);
    }

    public static ChipImage Read(RasterDataset dataset, int width, int height, ResizeMode mode = ResizeMode.Squash,
        Resampling resampling = Resampling.Bilinear, BandMapping? bands = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (width is < 1 or > 8192 || height is < 1 or > 8192)
            throw new InputException($"image size {width}x{height} must be between 1 and 8192 pixels per side");
        var renderer = new ChipRenderer(dataset, bands ?? BandMapping.Default(dataset), StretchMode.Auto, 2, 98, resampling,
            zeroIsNodataWhenUndeclared: false);
        var (x, y, w, h) = SourceWindow(dataset.Width, dataset.Height, width, height, mode);
        return renderer.RenderImage(x, y, w, h, width, height);
    }

    /// <summary>The source window (in source pixels, possibly fractional) that <paramref name="mode"/> maps onto width x height.</summary>
    public static (double X, double Y, double Width, double Height) SourceWindow(int sourceWidth, int sourceHeight, int width, int height, ResizeMode mode)
    {
        if (mode == ResizeMode.Squash) return (0, 0, sourceWidth, sourceHeight);
        // Scale so that the shorter side fits, then keep the centre width x height.
        var scale = Math.Max((double)width / sourceWidth, (double)height / sourceHeight);
        var w = Math.Min(sourceWidth, width / scale);
        var h = Math.Min(sourceHeight, height / scale);
        return ((sourceWidth - w) / 2, (sourceHeight - h) / 2, w, h);
    }
}
