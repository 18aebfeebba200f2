using System.Runtime.InteropServices;

namespace RsGeoSearch.Raster.Interop;

/// <summary>The vector side of GDAL this project uses: gdal_utils.h's GDALVectorTranslate (ogr2ogr as a library call).</summary>
internal static unsafe partial class GdalNative
{
    public const uint GDAL_OF_VECTOR = 0x04;

    [LibraryImport(Lib)] public static partial IntPtr GDALVectorTranslateOptionsNew(IntPtr argv, IntPtr optionsForBinary);
    [LibraryImport(Lib)] public static partial void GDALVectorTranslateOptionsFree(IntPtr options);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr GDALVectorTranslate(string dest, IntPtr dstDataset, int srcCount, IntPtr* srcDatasets, IntPtr options, out int usageError);
}
