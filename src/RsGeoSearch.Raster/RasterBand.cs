using RsGeoSearch.Raster.Interop;

namespace RsGeoSearch.Raster;

/// <summary>
/// One band of a <see cref="RasterDataset"/> (1-based <see cref="Index"/>). The band belongs to its dataset and
/// is unusable after the dataset is disposed. Percentiles are computed once and cached.
/// </summary>
public sealed class RasterBand
{
    private readonly RasterDataset owner;
    private readonly IntPtr handle;
    private readonly Dictionary<(double, double), (double, double)> percentileCache = new();

    internal RasterBand(RasterDataset owner, int index, IntPtr handle)
    {
        this.owner = owner;
        this.handle = handle;
        Index = index;
        DataType = (RasterDataType)GdalNative.GDALGetRasterDataType(handle);
        ColorInterpretation = (ColorInterpretation)GdalNative.GDALGetRasterColorInterpretation(handle);
        var nodata = GdalNative.GDALGetRasterNoDataValue(handle, out var hasNodata);
        NoDataValue = hasNodata != 0 ? nodata : null;
        MaskFlags = (MaskFlags)GdalNative.GDALGetMaskFlags(handle);
        Description = GdalNative.Utf8(GdalNative.GDALGetDescription(handle)) ?? "";
        OverviewCount = GdalNative.GDALGetOverviewCount(handle);
    }

    public int Index { get; }
    public RasterDataType DataType { get; }
    public ColorInterpretation ColorInterpretation { get; }
    public double? NoDataValue { get; }
    public MaskFlags MaskFlags { get; }
    public string Description { get; }
    public int OverviewCount { get; }

    /// <summary>Whether the pixel type can be turned into an image (real numbers; complex types cannot).</summary>
    public bool IsSupportedType => DataType is RasterDataType.Byte or RasterDataType.Int8 or RasterDataType.UInt16
        or RasterDataType.Int16 or RasterDataType.UInt32 or RasterDataType.Int32 or RasterDataType.Float32
        or RasterDataType.Float64 or RasterDataType.UInt64 or RasterDataType.Int64;

    internal IntPtr Handle
    {
        get
        {
            owner.ThrowIfDisposed();
            return handle;
        }
    }

    /// <summary>Band metadata of one domain (null = default domain) as KEY → VALUE.</summary>
    public IReadOnlyDictionary<string, string> Metadata(string? domain = null) => RasterDataset.ReadMetadata(Handle, domain);

    /// <summary>
    /// The values at <paramref name="lowPercent"/> and <paramref name="highPercent"/> of the band's histogram
    /// (nodata excluded; GDAL may use overviews or a subsample), cached per band.
    /// </summary>
    public (double Low, double High) GetPercentiles(double lowPercent = 2, double highPercent = 98)
    {
        if (!(lowPercent >= 0 && lowPercent < highPercent && highPercent <= 100))
            throw new ArgumentOutOfRangeException(nameof(lowPercent), $"percentiles must satisfy 0 <= low < high <= 100, got {lowPercent}, {highPercent}");
        lock (percentileCache)
        {
            if (percentileCache.TryGetValue((lowPercent, highPercent), out var cached)) return cached;
            var result = ComputePercentiles(lowPercent, highPercent);
            percentileCache[(lowPercent, highPercent)] = result;
            return result;
        }
    }

    private unsafe (double, double) ComputePercentiles(double lowPercent, double highPercent)
    {
        var h = Handle;
        double min, max;
        int buckets;
        switch (DataType)
        {
            case RasterDataType.Byte:
                (min, max, buckets) = (-0.5, 255.5, 256);
                break;
            case RasterDataType.Int8:
                (min, max, buckets) = (-128.5, 127.5, 256);
                break;
            case RasterDataType.UInt16:
                (min, max, buckets) = (-0.5, 65535.5, 65536);
                break;
            case RasterDataType.Int16:
                (min, max, buckets) = (-32768.5, 32767.5, 65536);
                break;
            default:
                var minMax = stackalloc double[2];
                GdalNative.CPLErrorReset();
                GdalNative.GDALComputeRasterMinMax(h, 1, minMax);
                GdalLibrary.CheckLast(owner.Path, $"computing the value range of band {Index}");
                (min, max, buckets) = (minMax[0], minMax[1], 4096);
                if (!(max > min)) return (min, min + 1);
                break;
        }
        var histogram = new ulong[buckets];
        GdalNative.CPLErrorReset();
        fixed (ulong* hist = histogram)
        {
            var err = GdalNative.GDALGetRasterHistogramEx(h, min, max, buckets, hist, 0, 1, IntPtr.Zero, IntPtr.Zero);
            GdalLibrary.Check(err, owner.Path, $"computing the histogram of band {Index}");
        }
        ulong total = 0;
        foreach (var c in histogram) total += c;
        var width = (max - min) / buckets;
        if (total == 0) return (min + width / 2, max - width / 2);
        double Value(int bucket) => min + (bucket + 0.5) * width;
        int Find(double percent)
        {
            var target = total * (percent / 100.0);
            ulong cumulative = 0;
            for (var i = 0; i < buckets; i++)
            {
                cumulative += histogram[i];
                if (cumulative >= target && cumulative > 0) return i;
            }
            return buckets - 1;
        }
        var low = Value(Find(lowPercent));
        var high = Value(Find(highPercent));
        if (high <= low) high = low + Math.Max(width, 1e-12);
        return (low, high);
    }
}
