using RsGeoSearch.Core;
using RsGeoSearch.Raster.Interop;

namespace RsGeoSearch.Raster;

/// <summary>
/// PNG/JPEG thumbnails encoded by GDAL (MEM dataset → CreateCopy to a private /vsimem/ file → bytes).
/// PNGs carry an alpha channel when part of the window is nodata.
/// </summary>
public static class Thumbnailer
{
    /// <summary>
    /// Renders a source window (e.g. a chip's <see cref="Chip.Window"/>) fitted into <paramref name="maxSize"/> pixels
    /// (aspect kept, never enlarged) with the raster's band mapping and contrast stretch, and encodes it.
    /// </summary>
    public static byte[] Render(RasterDataset dataset, PixelWindow window, int maxSize = 256, ImageFormat format = ImageFormat.Png,
        BandMapping? bands = null, StretchMode stretch = StretchMode.Auto, int jpegQuality = 85)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (maxSize is < 1 or > 4096) throw new InputException($"thumbnail size {maxSize} must be between 1 and 4096");
        if (window.Width < 1 || window.Height < 1 || window.X < 0 || window.Y < 0 ||
            window.X + window.Width > dataset.Width || window.Y + window.Height > dataset.Height)
            throw new InputException($"window {window} lies outside {dataset.Path} ({dataset.Width}x{dataset.Height})");
        var scale = Math.Min(1.0, (double)maxSize / Math.Max(window.Width, window.Height));
        var width = Math.Max(1, (int)Math.Round(window.Width * scale));
        var height = Math.Max(1, (int)Math.Round(window.Height * scale));
        var renderer = new ChipRenderer(dataset, bands ?? BandMapping.Default(dataset), stretch, 2, 98,
            scale < 1 ? Resampling.Average : Resampling.Nearest, zeroIsNodataWhenUndeclared: true);
        var chw = new float[3 * width * height];
        var validity = new byte[width * height];
        renderer.Render(window.X, window.Y, window.Width, window.Height, width, height, width, height, chw, validity);
        var image = new ChipImage(chw, width, height);
        var alpha = format == ImageFormat.Png && renderer.HasNodata && Array.IndexOf(validity, (byte)0) >= 0 ? validity : null;
        return Encode(image, format, alpha, jpegQuality);
    }

    /// <summary>Encodes float CHW RGB in [0, 1] (and an optional 0..255 alpha plane, PNG only) as PNG or JPEG.</summary>
    public static unsafe byte[] Encode(ChipImage image, ImageFormat format = ImageFormat.Png, byte[]? alpha = null, int jpegQuality = 85)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (jpegQuality is < 1 or > 100) throw new InputException($"JPEG quality {jpegQuality} must be between 1 and 100");
        int w = image.Width, h = image.Height, plane = w * h;
        if (alpha is not null && alpha.Length != plane) throw new ArgumentException($"alpha must have {plane} values", nameof(alpha));
        if (format == ImageFormat.Jpeg) alpha = null;
        var bandCount = alpha is null ? 3 : 4;
        var bytes = new byte[bandCount * plane];
        var src = image.Chw;
        for (var i = 0; i < 3 * plane; i++)
        {
            var v = src[i];
            bytes[i] = v <= 0 || float.IsNaN(v) ? (byte)0 : v >= 1 ? (byte)255 : (byte)(v * 255f + 0.5f);
        }
        alpha?.CopyTo(bytes, 3 * plane);

        GdalLibrary.EnsureInitialized();
        var mem = GdalNative.GDALGetDriverByName("MEM");
        var encoder = GdalNative.GDALGetDriverByName(format == ImageFormat.Png ? "PNG" : "JPEG");
        if (mem == IntPtr.Zero || encoder == IntPtr.Zero)
            throw new InvalidOperationException($"GDAL lacks the MEM or {format} driver");
        var path = $"/vsimem/rsgeosearch/{Guid.NewGuid():N}.{(format == ImageFormat.Png ? "png" : "jpg")}";
        GdalNative.CPLErrorReset();
        using var source = DatasetHandle.Own(GdalNative.GDALCreate(mem, "", w, h, bandCount, GdalNative.GDT_Byte, IntPtr.Zero));
        if (source.IsInvalid) throw new InvalidOperationException($"GDAL could not create an in-memory image: {GdalLibrary.LastErrorMessage()}");
        var map = stackalloc int[bandCount];
        for (var i = 0; i < bandCount; i++) map[i] = i + 1;
        var extra = GdalNative.RasterIOExtraArg.Create(Resampling.Nearest);
        fixed (byte* p = bytes)
        {
            var err = GdalNative.GDALDatasetRasterIOEx(source, GdalNative.GF_Write, 0, 0, w, h, p, w, h, GdalNative.GDT_Byte,
                bandCount, map, 1, w, plane, &extra);
            if (err >= GdalNative.CE_Failure) throw new InvalidOperationException($"GDAL could not fill the in-memory image: {GdalLibrary.LastErrorMessage()}");
        }
        var options = CreateOptions(format == ImageFormat.Jpeg ? $"QUALITY={jpegQuality}" : "ZLEVEL=6");
        try
        {
            GdalNative.CPLErrorReset();
            var copy = GdalNative.GDALCreateCopy(encoder, path, source, 0, options, IntPtr.Zero, IntPtr.Zero);
            if (copy == IntPtr.Zero) throw new InvalidOperationException($"GDAL could not encode {format}: {GdalLibrary.LastErrorMessage()}");
            GdalNative.GDALClose(copy);
            var buffer = GdalNative.VSIGetMemFileBuffer(path, out var length, 1);
            if (buffer == IntPtr.Zero) throw new InvalidOperationException($"GDAL wrote no {format} data");
            try { return new ReadOnlySpan<byte>((void*)buffer, checked((int)length)).ToArray(); }
            finally { GdalNative.VSIFree(buffer); }
        }
        finally
        {
            GdalNative.VSIUnlink(path);
            GdalNative.VSIUnlink(path + ".aux.xml");
            FreeOptions(options);
        }
    }

    private static IntPtr CreateOptions(string option)
    {
        var list = System.Runtime.InteropServices.Marshal.AllocHGlobal(2 * IntPtr.Size);
        System.Runtime.InteropServices.Marshal.WriteIntPtr(list, 0, System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(option));
        System.Runtime.InteropServices.Marshal.WriteIntPtr(list, IntPtr.Size, IntPtr.Zero);
        return list;
    }

    private static void FreeOptions(IntPtr list)
    {
        System.Runtime.InteropServices.Marshal.FreeCoTaskMem(System.Runtime.InteropServices.Marshal.ReadIntPtr(list));
        System.Runtime.InteropServices.Marshal.FreeHGlobal(list);
    }
}
