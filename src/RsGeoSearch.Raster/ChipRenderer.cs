using RsGeoSearch.Core;

namespace RsGeoSearch.Raster;

/// <summary>
/// Reads a source window of a raster straight into an RGB float32 CHW buffer at the requested size (GDAL
/// resamples inside RasterIO), applies the band mapping and the contrast stretch, and measures nodata.
/// The mask sources and stretch ranges are worked out once per raster.
/// </summary>
internal sealed class ChipRenderer
{
    private readonly RasterDataset dataset;
    private readonly int[] channels;
    private readonly int[] maskBands;
    private readonly bool zeroIsNodata;
    private readonly (float Low, float Scale)[] stretch;
    private readonly Resampling resampling;

    public ChipRenderer(RasterDataset dataset, BandMapping bands, StretchMode mode, double lowPercent, double highPercent,
        Resampling resampling, bool zeroIsNodataWhenUndeclared)
    {
        this.dataset = dataset;
        this.resampling = resampling;
        Bands = bands.ValidatedFor(dataset);
        channels = [bands.Red, bands.Green, bands.Blue];
        var distinct = channels.Distinct().ToArray();
        var masked = distinct.Where(b => (dataset.Band(b).MaskFlags & MaskFlags.AllValid) == 0).ToArray();
        var perDataset = masked.FirstOrDefault(b => (dataset.Band(b).MaskFlags & MaskFlags.PerDataset) != 0);
        maskBands = perDataset != 0 ? [perDataset] : masked;
        zeroIsNodata = maskBands.Length == 0 && zeroIsNodataWhenUndeclared;
        HasNodata = maskBands.Length > 0 || zeroIsNodata;
        stretch = new (float, float)[3];
        for (var c = 0; c < 3; c++) stretch[c] = Range(dataset.Band(channels[c]), mode, lowPercent, highPercent);
    }

    public BandMapping Bands { get; }

    /// <summary>Whether the raster has a way to mark nodata (a mask, alpha, nodata value, or zero fill).</summary>
    public bool HasNodata { get; }

    public IReadOnlyList<(float Low, float Scale)> Stretch => stretch;

    private static (float, float) Range(RasterBand band, StretchMode mode, double lowPercent, double highPercent)
    {
        if (mode == StretchMode.Auto) mode = band.DataType == RasterDataType.Byte ? StretchMode.None : StretchMode.Percentile;
        double low, high;
        if (mode == StretchMode.Percentile) (low, high) = band.GetPercentiles(lowPercent, highPercent);
        else
            (low, high) = band.DataType switch
            {
                RasterDataType.Byte => (0.0, 255.0),
                RasterDataType.Int8 => (0, 127),
                RasterDataType.UInt16 => (0, 65535),
                RasterDataType.Int16 => (0, 32767),
                RasterDataType.UInt32 or RasterDataType.UInt64 => (0, uint.MaxValue),
                RasterDataType.Int32 or RasterDataType.Int64 => (0, int.MaxValue),
                _ => (0, 1),
            };
        return ((float)low, (float)(1.0 / (high - low)));
    }

    /// <summary>
    /// Renders source window (x, y, w, h) into the top-left <paramref name="validWidth"/> x <paramref name="validHeight"/>
    /// of an <paramref name="outWidth"/> x <paramref name="outHeight"/> image; the rest is padding (zeros, nodata).
    /// Returns the nodata fraction over the whole output. When that exceeds <paramref name="maxNodataFraction"/>
    /// and it is known before reading pixels, the pixels are not read and <paramref name="chw"/> is left untouched.
    /// <paramref name="validity"/>, when given (outWidth x outHeight), receives 255 for valid and 0 for nodata pixels.
    /// </summary>
    public unsafe double Render(double x, double y, double w, double h, int validWidth, int validHeight, int outWidth, int outHeight,
        float[]? chw, byte[]? validity, double maxNodataFraction = 1.0)
    {
        var total = (double)outWidth * outHeight;
        var validArea = validWidth * validHeight;
        var padding = total - validArea;
        byte[]? mask = null;
        long invalid = 0;
        if (maskBands.Length > 0)
        {
            mask = new byte[validArea];
            fixed (byte* m = mask) dataset.ReadMaskInto(maskBands[0], x, y, w, h, m, validWidth, validHeight, validWidth);
            if (maskBands.Length > 1)
            {
                // Per-band nodata: a pixel is nodata only where every mapped band is nodata.
                var other = new byte[validArea];
                for (var i = 1; i < maskBands.Length; i++)
                {
                    fixed (byte* m = other) dataset.ReadMaskInto(maskBands[i], x, y, w, h, m, validWidth, validHeight, validWidth);
                    for (var p = 0; p < validArea; p++) mask[p] |= other[p];
                }
            }
            foreach (var v in mask) if (v == 0) invalid++;
            var fraction = (invalid + padding) / total;
            if (chw is null || fraction > maxNodataFraction)
            {
                FillValidity(validity, mask, validWidth, validHeight, outWidth, outHeight);
                return fraction;
            }
        }
        else if (!zeroIsNodata && (chw is null || padding / total > maxNodataFraction))
        {
            FillValidity(validity, null, validWidth, validHeight, outWidth, outHeight);
            return padding / total;
        }

        var buffer = chw ?? new float[3 * outWidth * outHeight];
        if (chw is not null) Array.Clear(chw);
        long plane = (long)outWidth * outHeight;
        fixed (float* dest = buffer)
        {
            long line = (long)outWidth * sizeof(float);
            if (channels[0] != channels[1] && channels[1] != channels[2] && channels[0] != channels[2])
                dataset.ReadInto(x, y, w, h, channels, dest, validWidth, validHeight, line, plane * sizeof(float), resampling);
            else
            {
                for (var c = 0; c < 3; c++)
                {
                    var previous = Array.IndexOf(channels, channels[c]);
                    if (previous < c) CopyPlane(dest + previous * plane, dest + c * plane, outWidth, validWidth, validHeight);
                    else dataset.ReadInto(x, y, w, h, [channels[c]], dest + c * plane, validWidth, validHeight, line, plane * sizeof(float), resampling);
                }
            }
        }

        if (zeroIsNodata)
        {
            mask = new byte[validArea];
            for (var row = 0; row < validHeight; row++)
            for (var col = 0; col < validWidth; col++)
            {
                var p = row * outWidth + col;
                var valid = buffer[p] != 0 || buffer[p + plane] != 0 || buffer[p + 2 * plane] != 0;
                mask[row * validWidth + col] = valid ? (byte)255 : (byte)0;
                if (!valid) invalid++;
            }
        }

        for (var c = 0; c < 3; c++)
        {
            var (low, scale) = stretch[c];
            var offset = c * plane;
            for (var row = 0; row < validHeight; row++)
            {
                var span = buffer.AsSpan((int)(offset + (long)row * outWidth), validWidth);
                for (var col = 0; col < validWidth; col++)
                {
                    if (mask is not null && mask[row * validWidth + col] == 0) { span[col] = 0; continue; }
                    var v = (span[col] - low) * scale;
                    span[col] = v < 0 ? 0 : v > 1 ? 1 : float.IsNaN(v) ? 0 : v;
                }
            }
        }
        FillValidity(validity, mask, validWidth, validHeight, outWidth, outHeight);
        return (invalid + padding) / total;
    }

    private static unsafe void CopyPlane(float* from, float* to, int outWidth, int validWidth, int validHeight)
    {
        for (var row = 0; row < validHeight; row++)
            new Span<float>(from + (long)row * outWidth, validWidth).CopyTo(new Span<float>(to + (long)row * outWidth, validWidth));
    }

    private static void FillValidity(byte[]? validity, byte[]? mask, int validWidth, int validHeight, int outWidth, int outHeight)
    {
        if (validity is null) return;
        Array.Clear(validity);
        for (var row = 0; row < validHeight; row++)
        for (var col = 0; col < validWidth; col++)
            validity[row * outWidth + col] = mask is null || mask[row * validWidth + col] != 0 ? (byte)255 : (byte)0;
    }

    /// <summary>Output pixels covered by source pixels when a window of <paramref name="clipped"/> of nominal <paramref name="span"/> is drawn at <paramref name="output"/>.</summary>
    public static int Covered(int clipped, int span, int output) =>
        Math.Clamp((int)Math.Round((double)clipped * output / span), 1, output);

    /// <summary>A whole-image read into a new <see cref="ChipImage"/> (no padding).</summary>
    public ChipImage RenderImage(double x, double y, double w, double h, int width, int height)
    {
        var chw = new float[3 * width * height];
        Render(x, y, w, h, width, height, width, height, chw, null);
        return new ChipImage(chw, width, height);
    }
}
