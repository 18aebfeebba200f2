using System.Runtime.InteropServices;

namespace RsGeoSearch.Raster.Interop;

/// <summary>
/// The GDAL C API functions this project uses, as declared in gdal.h, cpl_error.h, cpl_vsi.h, cpl_string.h and
/// ogr_srs_api.h of GDAL 3.6. The library name "gdal" is resolved by <see cref="GdalLibrary"/>.
/// Nothing here owns memory: callers wrap handles in SafeHandles and free returned buffers.
/// </summary>
internal static unsafe partial class GdalNative
{
    public const string Lib = "gdal";

    // gdal.h: open flags
    public const uint GDAL_OF_READONLY = 0x00;
    public const uint GDAL_OF_RASTER = 0x02;
    public const uint GDAL_OF_VERBOSE_ERROR = 0x40;

    // cpl_error.h: CPLErr
    public const int CE_None = 0;
    public const int CE_Warning = 2;
    public const int CE_Failure = 3;
    public const int CE_Fatal = 4;

    // GDALRWFlag
    public const int GF_Read = 0;
    public const int GF_Write = 1;

    // GDALDataType
    public const int GDT_Byte = 1;
    public const int GDT_Float32 = 6;

    // ogr_srs_api.h: OSRAxisMappingStrategy
    public const int OAMS_TRADITIONAL_GIS_ORDER = 0;

    /// <summary>GDALRasterIOExtraArg, RASTERIO_EXTRA_ARG_CURRENT_VERSION = 1.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RasterIOExtraArg
    {
        public int nVersion;
        public int eResampleAlg;
        public IntPtr pfnProgress;
        public IntPtr pProgressData;
        public int bFloatingPointWindowValidity;
        public double dfXOff;
        public double dfYOff;
        public double dfXSize;
        public double dfYSize;

        public static RasterIOExtraArg Create(Resampling resampling) => new() { nVersion = 1, eResampleAlg = (int)resampling };
    }

    // --- registration, errors, config, memory ---
    [LibraryImport(Lib)] public static partial void GDALAllRegister();
    [LibraryImport(Lib)] public static partial void CPLErrorReset();
    [LibraryImport(Lib)] public static partial int CPLGetLastErrorType();
    [LibraryImport(Lib)] public static partial IntPtr CPLGetLastErrorMsg();
    [LibraryImport(Lib)] public static partial IntPtr CPLSetErrorHandler(IntPtr handler);
    [LibraryImport(Lib)] public static partial void VSIFree(IntPtr p);
    [LibraryImport(Lib)] public static partial IntPtr VSIMalloc(nuint size);
    [LibraryImport(Lib)] public static partial void CSLDestroy(IntPtr list);

    // --- /vsimem/ ---
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr VSIFileFromMemBuffer(string filename, IntPtr buffer, ulong length, int takeOwnership);
    [LibraryImport(Lib)] public static partial int VSIFCloseL(IntPtr file);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int VSIUnlink(string filename);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr VSIGetMemFileBuffer(string filename, out ulong length, int unlinkAndSeize);

    // --- datasets and drivers ---
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr GDALOpenEx(string filename, uint flags, IntPtr allowedDrivers, IntPtr openOptions, IntPtr siblingFiles);
    [LibraryImport(Lib)] public static partial void GDALClose(IntPtr dataset);
    [LibraryImport(Lib)] public static partial int GDALGetRasterXSize(DatasetHandle dataset);
    [LibraryImport(Lib)] public static partial int GDALGetRasterYSize(DatasetHandle dataset);
    [LibraryImport(Lib)] public static partial int GDALGetRasterCount(DatasetHandle dataset);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetRasterBand(DatasetHandle dataset, int band);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetDatasetDriver(DatasetHandle dataset);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetDriverShortName(IntPtr driver);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr GDALGetDriverByName(string name);
    [LibraryImport(Lib)] public static partial int GDALGetGeoTransform(DatasetHandle dataset, double* transform);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetSpatialRef(DatasetHandle dataset);
    [LibraryImport(Lib)] public static partial int GDALGetGCPCount(DatasetHandle dataset);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetGCPSpatialRef(DatasetHandle dataset);

    // gdalwarper.h: GDALResampleAlg
    public const int GRA_Bilinear = 1;

    /// <summary>gdalwarper.h: a north-up virtual warp of the source into its own (or its GCPs') CRS; NULL on failure.</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr GDALAutoCreateWarpedVRT(DatasetHandle source, string? sourceWkt, string? targetWkt, int resampleAlg, double maxError, IntPtr options);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr GDALCreate(IntPtr driver, string filename, int xSize, int ySize, int bands, int dataType, IntPtr options);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr GDALCreateCopy(IntPtr driver, string filename, DatasetHandle source, int strict, IntPtr options, IntPtr progress, IntPtr progressData);

    [LibraryImport(Lib)]
    public static partial int GDALDatasetRasterIOEx(DatasetHandle dataset, int rwFlag, int xOff, int yOff, int xSize, int ySize,
        void* data, int bufXSize, int bufYSize, int bufType, int bandCount, int* bandMap,
        long pixelSpace, long lineSpace, long bandSpace, RasterIOExtraArg* extraArg);

    // --- metadata (GDALMajorObjectH: dataset or band) ---
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr GDALGetMetadata(IntPtr obj, string? domain);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetMetadataDomainList(IntPtr obj);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetDescription(IntPtr obj);

    // --- bands (owned by their dataset) ---
    [LibraryImport(Lib)] public static partial int GDALGetRasterDataType(IntPtr band);
    [LibraryImport(Lib)] public static partial int GDALGetRasterColorInterpretation(IntPtr band);
    [LibraryImport(Lib)] public static partial double GDALGetRasterNoDataValue(IntPtr band, out int hasNoData);
    [LibraryImport(Lib)] public static partial int GDALGetMaskFlags(IntPtr band);
    [LibraryImport(Lib)] public static partial IntPtr GDALGetMaskBand(IntPtr band);
    [LibraryImport(Lib)] public static partial int GDALGetOverviewCount(IntPtr band);
    [LibraryImport(Lib)] public static partial void GDALComputeRasterMinMax(IntPtr band, int approxOk, double* minMax);
    [LibraryImport(Lib)]
    public static partial int GDALGetRasterHistogramEx(IntPtr band, double min, double max, int buckets, ulong* histogram,
        int includeOutOfRange, int approxOk, IntPtr progress, IntPtr progressData);
    [LibraryImport(Lib)]
    public static partial int GDALRasterIOEx(IntPtr band, int rwFlag, int xOff, int yOff, int xSize, int ySize,
        void* data, int bufXSize, int bufYSize, int bufType, long pixelSpace, long lineSpace, RasterIOExtraArg* extraArg);

    // --- spatial references and transformations ---
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr OSRNewSpatialReference(string? wkt);
    [LibraryImport(Lib)] public static partial void OSRDestroySpatialReference(IntPtr srs);
    [LibraryImport(Lib)] public static partial IntPtr OSRClone(IntPtr srs);
    [LibraryImport(Lib)] public static partial int OSRImportFromEPSG(SpatialReferenceHandle srs, int code);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial int OSRSetFromUserInput(SpatialReferenceHandle srs, string definition);
    [LibraryImport(Lib)] public static partial void OSRSetAxisMappingStrategy(SpatialReferenceHandle srs, int strategy);
    [LibraryImport(Lib)] public static partial int OSRExportToWktEx(SpatialReferenceHandle srs, out IntPtr wkt, IntPtr options);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr OSRGetAuthorityName(SpatialReferenceHandle srs, string? targetKey);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)] public static partial IntPtr OSRGetAuthorityCode(SpatialReferenceHandle srs, string? targetKey);
    [LibraryImport(Lib)] public static partial int OSRAutoIdentifyEPSG(SpatialReferenceHandle srs);
    [LibraryImport(Lib)] public static partial IntPtr OCTNewCoordinateTransformation(SpatialReferenceHandle source, SpatialReferenceHandle target);
    [LibraryImport(Lib)] public static partial void OCTDestroyCoordinateTransformation(IntPtr transformation);
    [LibraryImport(Lib)]
    public static partial int OCTTransformEx(CoordinateTransformationHandle transformation, int count, double* x, double* y, double* z, int* success);

    /// <summary>Reads a NUL-terminated UTF-8 string owned by GDAL (not freed).</summary>
    public static string? Utf8(IntPtr p) => p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p);

    /// <summary>Reads a GDAL string list (char**, NULL-terminated) owned by GDAL (not freed).</summary>
    public static List<string> StringList(IntPtr list)
    {
        var result = new List<string>();
        if (list == IntPtr.Zero) return result;
        for (var p = (IntPtr*)list; *p != IntPtr.Zero; p++)
            result.Add(Marshal.PtrToStringUTF8(*p) ?? "");
        return result;
    }
}
