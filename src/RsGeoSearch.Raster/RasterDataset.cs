using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NetTopologySuite.Geometries;
using RsGeoSearch.Core;
using RsGeoSearch.Raster.Interop;

namespace RsGeoSearch.Raster;

/// <summary>
/// A raster opened read-only through GDAL (GeoTIFF/COG, JPEG 2000, PNG/JPEG with or without world files, ...).
/// Each instance owns its own GDAL dataset handle (no GDAL_OF_SHARED), so different instances may be used on
/// different threads; one instance must be used by one thread at a time. Dispose it to close the file.
/// </summary>
public sealed class RasterDataset : IDisposable
{
    private readonly DatasetHandle handle;
    private readonly SpatialReferenceHandle? srs;
    private readonly RasterBand[] bands;
    private string? sha256;

    private RasterDataset(string path, DatasetHandle handle, string? sha256)
    {
        Path = path;
        this.handle = handle;
        IsWarpedFromGcps = handle.HasSource;
        this.sha256 = sha256;
        IsInMemory = sha256 is not null;
        try
        {
            Width = GdalNative.GDALGetRasterXSize(handle);
            Height = GdalNative.GDALGetRasterYSize(handle);
            BandCount = GdalNative.GDALGetRasterCount(handle);
            DriverName = GdalNative.Utf8(GdalNative.GDALGetDriverShortName(GdalNative.GDALGetDatasetDriver(handle))) ?? "";
            if (Width <= 0 || Height <= 0) throw new RasterException(path, $"the raster has zero size ({Width}x{Height} pixels)");
            if (BandCount <= 0) throw new RasterException(path, "the file has no raster bands (is it a vector file or a container of subdatasets?)");
            bands = new RasterBand[BandCount];
            for (var i = 0; i < BandCount; i++)
                bands[i] = new RasterBand(this, i + 1, GdalNative.GDALGetRasterBand(handle, i + 1));
            GeoTransform = ReadGeoTransform(handle);
            (srs, CrsWkt, EpsgCode) = ReadSpatialReference(handle);
        }
        catch
        {
            srs?.Dispose();
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens a raster file read-only; throws <see cref="RasterException"/> naming the file when GDAL cannot.</summary>
    public static RasterDataset Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        GdalLibrary.EnsureInitialized();
        var isVirtual = path.StartsWith("/vsi", StringComparison.Ordinal);
        if (!isVirtual && Directory.Exists(path)) throw new RasterException(path, "is a folder, not a raster file");
        if (!isVirtual && !File.Exists(path)) throw new RasterException(path, "file not found");
        GdalNative.CPLErrorReset();
        var h = GdalNative.GDALOpenEx(path, GdalNative.GDAL_OF_RASTER | GdalNative.GDAL_OF_READONLY | GdalNative.GDAL_OF_VERBOSE_ERROR,
            IntPtr.Zero, IntPtr.Zero, IntPtr.Zero);
        if (h == IntPtr.Zero) throw new RasterException(path, $"GDAL cannot open it as a raster: {GdalLibrary.LastErrorMessage()}");
        return new RasterDataset(path, WarpGcps(path, DatasetHandle.Own(h)), null);
    }

    /// <summary>
    /// A raster placed on the map only by ground control points (raw satellite products, scanned maps) is read
    /// through GDAL's virtual warp to a north-up grid in the GCPs' CRS (a first- to third-order polynomial fitted to
    /// the GCPs, as gdalwarp does), so it gets a geotransform, footprints and chips like any other raster.
    /// </summary>
    private static DatasetHandle WarpGcps(string path, DatasetHandle h)
    {
        if (ReadGeoTransform(h) is not null || GdalNative.GDALGetGCPCount(h) < 3 || GdalNative.GDALGetGCPSpatialRef(h) == IntPtr.Zero)
            return h;
        GdalNative.CPLErrorReset();
        var warped = GdalNative.GDALAutoCreateWarpedVRT(h, null, null, GdalNative.GRA_Bilinear, 0.125, IntPtr.Zero);
        if (warped == IntPtr.Zero)
        {
            var message = GdalLibrary.LastErrorMessage();
            h.Dispose();
            throw new RasterException(path, $"its ground control points cannot be turned into a map grid ({message}); warp it first (gdalwarp -tps)");
        }
        return DatasetHandle.OwnWithSource(warped, h);
    }

    /// <summary>
    /// Opens an image held in memory (an upload): the bytes are copied into a private /vsimem/ file that lives as
    /// long as this dataset. <paramref name="name"/> is used in messages and its extension helps GDAL pick a driver.
    /// </summary>
    public static RasterDataset Open(ReadOnlySpan<byte> data, string name = "upload")
    {
        GdalLibrary.EnsureInitialized();
        if (data.IsEmpty) throw new RasterException(name, "the image is empty (0 bytes)");
        var safeName = System.IO.Path.GetFileName(name);
        if (string.IsNullOrWhiteSpace(safeName) || safeName.Any(c => char.IsControl(c))) safeName = "upload";
        var memPath = $"/vsimem/rsgeosearch/{Guid.NewGuid():N}/{safeName}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(data));
        MemoryFile.Create(memPath, data, name);
        GdalNative.CPLErrorReset();
        var h = GdalNative.GDALOpenEx(memPath, GdalNative.GDAL_OF_RASTER | GdalNative.GDAL_OF_READONLY | GdalNative.GDAL_OF_VERBOSE_ERROR,
            IntPtr.Zero, IntPtr.Zero, IntPtr.Zero);
        if (h == IntPtr.Zero)
        {
            var message = GdalLibrary.LastErrorMessage().Replace(memPath, name, StringComparison.Ordinal);
            GdalNative.VSIUnlink(memPath);
            throw new RasterException(name, $"GDAL cannot read it as an image: {message}");
        }
        return new RasterDataset(name, DatasetHandle.Own(h, memPath), hash);
    }

    /// <summary>The file path, or the name given to an in-memory image.</summary>
    public string Path { get; }

    /// <summary>True when the file is georeferenced only by ground control points and is read through a virtual warp.</summary>
    public bool IsWarpedFromGcps { get; }
    public bool IsInMemory { get; }
    public string DriverName { get; }
    public int Width { get; }
    public int Height { get; }
    public int BandCount { get; }
    public IReadOnlyList<RasterBand> Bands => bands;

    /// <summary>The affine pixel-to-CRS transform, or null when the file has none.</summary>
    public GeoTransform? GeoTransform { get; }

    /// <summary>The CRS as WKT2, or null when the file has none.</summary>
    public string? CrsWkt { get; }

    /// <summary>The CRS's EPSG code when GDAL can identify one.</summary>
    public int? EpsgCode { get; }

    /// <summary>"EPSG:n" when identified, else the WKT, else null.</summary>
    public string? Crs => EpsgCode is { } code ? $"EPSG:{code}" : CrsWkt;

    /// <summary>True when the raster has both a geotransform and a CRS, so pixels can be placed on the map.</summary>
    public bool IsGeoreferenced => GeoTransform is not null && srs is not null;

    /// <summary>A 1-based band.</summary>
    public RasterBand Band(int index)
    {
        if (index < 1 || index > BandCount)
            throw new RasterException(Path, $"band {index} does not exist; the raster has {BandCount} band(s), numbered from 1");
        return bands[index - 1];
    }

    /// <summary>The metadata domains the dataset reports ("" is the default domain).</summary>
    public IReadOnlyList<string> MetadataDomains
    {
        get
        {
            var list = GdalNative.GDALGetMetadataDomainList(Handle.DangerousGetHandle());
            try { return GdalNative.StringList(list); }
            finally { GdalNative.CSLDestroy(list); }
        }
    }

    /// <summary>Dataset metadata of one domain (null or "" = default; e.g. "IMAGERY") as KEY → VALUE.</summary>
    public IReadOnlyDictionary<string, string> Metadata(string? domain = null)
    {
        var h = Handle;
        var added = false;
        try
        {
            h.DangerousAddRef(ref added);
            return ReadMetadata(h.DangerousGetHandle(), domain);
        }
        finally { if (added) h.DangerousRelease(); }
    }

    internal static IReadOnlyDictionary<string, string> ReadMetadata(IntPtr obj, string? domain)
    {
        var entries = GdalNative.StringList(GdalNative.GDALGetMetadata(obj, string.IsNullOrEmpty(domain) ? null : domain));
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (domain is not null && domain.StartsWith("xml:", StringComparison.OrdinalIgnoreCase))
        {
            if (entries.Count > 0) result["xml"] = entries[0];
            return result;
        }
        foreach (var entry in entries)
        {
            var eq = entry.IndexOf('=');
            if (eq < 0) result[entry] = "";
            else result[entry[..eq]] = entry[(eq + 1)..];
        }
        return result;
    }

    /// <summary>
    /// Reads <paramref name="bandIndexes"/> (1-based) from the source window into a band-sequential float array
    /// of <paramref name="width"/> x <paramref name="height"/> per band, resampled by GDAL.
    /// </summary>
    public float[] ReadPixels(PixelWindow window, IReadOnlyList<int> bandIndexes, int width, int height, Resampling resampling = Resampling.Bilinear)
    {
        var result = new float[bandIndexes.Count * width * height];
        unsafe
        {
            fixed (float* p = result)
                ReadInto(window.X, window.Y, window.Width, window.Height, bandIndexes, p, width, height,
                    (long)width * sizeof(float), (long)width * height * sizeof(float), resampling);
        }
        return result;
    }

    /// <summary>
    /// The validity mask of a band (GDAL's mask band: from nodata, alpha, a mask file, or all valid) read at
    /// <paramref name="width"/> x <paramref name="height"/> with nearest neighbour: 0 = nodata, non-zero = valid.
    /// </summary>
    public byte[] ReadMask(int bandIndex, PixelWindow window, int width, int height)
    {
        var result = new byte[width * height];
        unsafe
        {
            fixed (byte* p = result) ReadMaskInto(bandIndex, window.X, window.Y, window.Width, window.Height, p, width, height, width);
        }
        return result;
    }

    internal unsafe void ReadInto(double x, double y, double w, double h, IReadOnlyList<int> bandIndexes, float* dest,
        int bufWidth, int bufHeight, long lineSpace, long bandSpace, Resampling resampling)
    {
        if (bandIndexes.Count == 0) return;
        var map = stackalloc int[bandIndexes.Count];
        for (var i = 0; i < bandIndexes.Count; i++)
        {
            var b = Band(bandIndexes[i]);
            if (!b.IsSupportedType) throw new RasterException(Path, $"band {b.Index} has the unsupported pixel type {b.DataType}");
            map[i] = b.Index;
        }
        var (xOff, yOff, xSize, ySize, extra) = Window(x, y, w, h, resampling);
        var hnd = Handle;
        GdalNative.CPLErrorReset();
        var err = GdalNative.GDALDatasetRasterIOEx(hnd, GdalNative.GF_Read, xOff, yOff, xSize, ySize, dest, bufWidth, bufHeight,
            GdalNative.GDT_Float32, bandIndexes.Count, map, sizeof(float), lineSpace, bandSpace, &extra);
        GdalLibrary.Check(err, Path, $"reading pixels {xOff},{yOff} {xSize}x{ySize} of bands {string.Join(',', bandIndexes)}");
    }

    internal unsafe void ReadMaskInto(int bandIndex, double x, double y, double w, double h, byte* dest, int bufWidth, int bufHeight, long lineSpace)
    {
        var band = Band(bandIndex);
        var mask = GdalNative.GDALGetMaskBand(band.Handle);
        if (mask == IntPtr.Zero) throw new RasterException(Path, $"band {bandIndex} has no mask band: {GdalLibrary.LastErrorMessage()}");
        var (xOff, yOff, xSize, ySize, extra) = Window(x, y, w, h, Resampling.Nearest);
        GdalNative.CPLErrorReset();
        var err = GdalNative.GDALRasterIOEx(mask, GdalNative.GF_Read, xOff, yOff, xSize, ySize, dest, bufWidth, bufHeight,
            GdalNative.GDT_Byte, 1, lineSpace, &extra);
        GC.KeepAlive(this);
        GdalLibrary.Check(err, Path, $"reading the mask of band {bandIndex} at {xOff},{yOff} {xSize}x{ySize}");
    }

    private (int, int, int, int, GdalNative.RasterIOExtraArg) Window(double x, double y, double w, double h, Resampling resampling)
    {
        if (!(w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= Width + 1e-6 && y + h <= Height + 1e-6))
            throw new RasterException(Path, $"window {x},{y} {w}x{h} lies outside the raster ({Width}x{Height})");
        var xOff = (int)Math.Floor(x);
        var yOff = (int)Math.Floor(y);
        var xSize = Math.Min(Width, (int)Math.Ceiling(x + w - 1e-9)) - xOff;
        var ySize = Math.Min(Height, (int)Math.Ceiling(y + h - 1e-9)) - yOff;
        var extra = GdalNative.RasterIOExtraArg.Create(resampling);
        if (xOff != x || yOff != y || xSize != w || ySize != h)
        {
            extra.bFloatingPointWindowValidity = 1;
            extra.dfXOff = x;
            extra.dfYOff = y;
            extra.dfXSize = Math.Min(w, Width - x);
            extra.dfYSize = Math.Min(h, Height - y);
        }
        return (xOff, yOff, Math.Max(1, xSize), Math.Max(1, ySize), extra);
    }

    /// <summary>A transformation from the raster's CRS to EPSG:4326 (longitude, latitude order).</summary>
    public CoordinateTransform CreateTransformToWgs84()
    {
        ThrowIfDisposed();
        if (srs is null) throw new RasterException(Path, "the raster has no coordinate reference system");
        return CoordinateTransform.Create(srs, Path);
    }

    /// <summary>The SHA-256 of the file content (streamed; for in-memory images, of the bytes given), lower-case hex.</summary>
    public string ComputeSha256()
    {
        if (sha256 is not null) return sha256;
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        return sha256;
    }

    /// <summary>
    /// Describes the raster as a <see cref="Scene"/>: absolute path, content hash, CRS, acquisition time
    /// (<paramref name="acquired"/> if given, else metadata, else the file name), footprint of the whole raster
    /// in EPSG:4326 (null without georeferencing), size and band count.
    /// </summary>
    public Scene Describe(DateTimeOffset? acquired = null, int segmentsPerEdge = FootprintBuilder.DefaultSegmentsPerEdge)
    {
        var time = AcquisitionDateParser.Resolve(this, acquired);
        Polygon? footprint = null;
        if (IsGeoreferenced)
        {
            using var fb = new FootprintBuilder(this, segmentsPerEdge);
            footprint = fb.Wgs84(new PixelWindow(0, 0, Width, Height));
        }
        var uri = IsInMemory ? Path : System.IO.Path.GetFullPath(Path);
        return new Scene(uri, ComputeSha256(), Crs, time?.Value, time?.Source ?? AcquisitionSource.Unknown, footprint, Width, Height, BandCount);
    }

    internal DatasetHandle Handle
    {
        get
        {
            ThrowIfDisposed();
            return handle;
        }
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(handle.IsClosed, this);

    public void Dispose()
    {
        srs?.Dispose();
        handle.Dispose();
    }

    public override string ToString() => $"{Path} ({DriverName}, {Width}x{Height}, {BandCount} band(s), {Crs ?? "no CRS"})";

    private static unsafe GeoTransform? ReadGeoTransform(DatasetHandle h)
    {
        var gt = stackalloc double[6];
        GdalNative.CPLErrorReset();
        if (GdalNative.GDALGetGeoTransform(h, gt) != GdalNative.CE_None) return null;
        var t = Raster.GeoTransform.FromGdal(new ReadOnlySpan<double>(gt, 6));
        // GDAL's default (0,1,0,0,0,1) means "no georeferencing".
        if (t == new GeoTransform(0, 1, 0, 0, 0, 1)) return null;
        return t;
    }

    private static (SpatialReferenceHandle?, string?, int?) ReadSpatialReference(DatasetHandle h)
    {
        var borrowed = GdalNative.GDALGetSpatialRef(h);
        if (borrowed == IntPtr.Zero) return (null, null, null);
        var clone = SpatialReferenceHandle.Own(GdalNative.OSRClone(borrowed));
        if (clone.IsInvalid) return (null, null, null);
        GdalNative.OSRSetAxisMappingStrategy(clone, GdalNative.OAMS_TRADITIONAL_GIS_ORDER);
        return (clone, ExportWkt2(clone), IdentifyEpsg(clone));
    }

    internal static string? ExportWkt2(SpatialReferenceHandle srs)
    {
        var option = Marshal.StringToCoTaskMemUTF8("FORMAT=WKT2_2019");
        var options = Marshal.AllocHGlobal(2 * IntPtr.Size);
        try
        {
            Marshal.WriteIntPtr(options, 0, option);
            Marshal.WriteIntPtr(options, IntPtr.Size, IntPtr.Zero);
            if (GdalNative.OSRExportToWktEx(srs, out var wkt, options) != 0 || wkt == IntPtr.Zero) return null;
            try { return GdalNative.Utf8(wkt); }
            finally { GdalNative.VSIFree(wkt); }
        }
        finally
        {
            Marshal.FreeHGlobal(options);
            Marshal.FreeCoTaskMem(option);
        }
    }

    private static int? IdentifyEpsg(SpatialReferenceHandle srs)
    {
        static int? Read(SpatialReferenceHandle s) =>
            string.Equals(GdalNative.Utf8(GdalNative.OSRGetAuthorityName(s, null)), "EPSG", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(GdalNative.Utf8(GdalNative.OSRGetAuthorityCode(s, null)), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
                ? code : null;
        if (Read(srs) is { } direct) return direct;
        using var probe = SpatialReferenceHandle.Own(GdalNative.OSRClone(srs.DangerousGetHandle()));
        if (probe.IsInvalid) return null;
        GdalNative.CPLErrorReset();
        return GdalNative.OSRAutoIdentifyEPSG(probe) == 0 ? Read(probe) : null;
    }
}
