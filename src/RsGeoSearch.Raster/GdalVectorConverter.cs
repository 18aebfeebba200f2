using System.Runtime.InteropServices;
using RsGeoSearch.Core;
using RsGeoSearch.Raster.Interop;

namespace RsGeoSearch.Raster;

/// <summary>
/// GeoJSON → GeoPackage with GDAL's ogr2ogr library call, entirely in /vsimem/: the GeoJSON is opened from a memory
/// file (owned by a <see cref="DatasetHandle"/>, unlinked when it closes), translated into a memory GeoPackage, whose
/// bytes are taken over and freed here. Nothing touches the disk.
/// </summary>
public sealed class GdalVectorConverter : IVectorConverter
{
    public byte[] GeoJsonToGeoPackage(ReadOnlySpan<byte> geoJson, string layerName)
    {
        GdalLibrary.EnsureInitialized();
        var id = Guid.NewGuid().ToString("N");
        var source = $"/vsimem/rsgeo-export-{id}.geojson";
        var target = $"/vsimem/rsgeo-export-{id}.gpkg";
        using var input = OpenGeoJson(source, geoJson);
        var options = TranslateOptions(["-f", "GPKG", "-nln", layerName, "-lco", "SPATIAL_INDEX=NO"]);
        try
        {
            GdalNative.CPLErrorReset();
            IntPtr output;
            unsafe
            {
                var src = input.DangerousGetHandle();
                output = GdalNative.GDALVectorTranslate(target, IntPtr.Zero, 1, &src, options, out _);
            }
            if (output == IntPtr.Zero)
                throw new RasterException("GeoJSON", $"GDAL could not write the GeoPackage: {GdalLibrary.LastErrorMessage()}");
            GdalNative.GDALClose(output); // flushes the GeoPackage into the memory file
            var buffer = GdalNative.VSIGetMemFileBuffer(target, out var length, 1);
            if (buffer == IntPtr.Zero) throw new RasterException("GeoJSON", "GDAL wrote no GeoPackage");
            try
            {
                var bytes = new byte[checked((int)length)];
                Marshal.Copy(buffer, bytes, 0, bytes.Length);
                return bytes;
            }
            finally
            {
                GdalNative.VSIFree(buffer);
            }
        }
        finally
        {
            GdalNative.GDALVectorTranslateOptionsFree(options);
            foreach (var leftover in new[] { target, target + "-journal", target + "-wal", target + "-shm" })
                GdalNative.VSIUnlink(leftover);
        }
    }

    private static DatasetHandle OpenGeoJson(string path, ReadOnlySpan<byte> geoJson)
    {
        if (geoJson.IsEmpty) throw new RasterException("GeoJSON", "the GeoJSON is empty");
        MemoryFile.Create(path, geoJson, "GeoJSON");
        GdalNative.CPLErrorReset();
        var allowed = Marshal.StringToCoTaskMemUTF8("GeoJSON");
        var list = Marshal.AllocHGlobal(2 * IntPtr.Size);
        try
        {
            Marshal.WriteIntPtr(list, 0, allowed);
            Marshal.WriteIntPtr(list, IntPtr.Size, IntPtr.Zero);
            var h = GdalNative.GDALOpenEx(path, GdalNative.GDAL_OF_VECTOR | GdalNative.GDAL_OF_READONLY, list, IntPtr.Zero, IntPtr.Zero);
            if (h == IntPtr.Zero)
            {
                GdalNative.VSIUnlink(path);
                throw new RasterException("GeoJSON", $"not readable as GeoJSON features: {GdalLibrary.LastErrorMessage()}");
            }
            return DatasetHandle.Own(h, memFile: path);
        }
        finally
        {
            Marshal.FreeHGlobal(list);
            Marshal.FreeCoTaskMem(allowed);
        }
    }

    /// <summary>GDALVectorTranslateOptions from ogr2ogr-style arguments (freed by the caller).</summary>
    private static IntPtr TranslateOptions(string[] args)
    {
        var strings = args.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
        var argv = Marshal.AllocHGlobal((strings.Length + 1) * IntPtr.Size);
        try
        {
            for (var i = 0; i < strings.Length; i++) Marshal.WriteIntPtr(argv, i * IntPtr.Size, strings[i]);
            Marshal.WriteIntPtr(argv, strings.Length * IntPtr.Size, IntPtr.Zero);
            var options = GdalNative.GDALVectorTranslateOptionsNew(argv, IntPtr.Zero);
            if (options == IntPtr.Zero) throw new InvalidOperationException($"GDAL refused the options {string.Join(' ', args)}: {GdalLibrary.LastErrorMessage()}");
            return options;
        }
        finally
        {
            Marshal.FreeHGlobal(argv);
            foreach (var s in strings) Marshal.FreeCoTaskMem(s);
        }
    }
}
