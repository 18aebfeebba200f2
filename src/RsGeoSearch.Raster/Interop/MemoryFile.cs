namespace RsGeoSearch.Raster.Interop;

/// <summary>Copies bytes into a GDAL /vsimem/ file that GDAL owns (freed when the file is unlinked).</summary>
internal static class MemoryFile
{
    public static void Create(string memPath, ReadOnlySpan<byte> data, string name)
    {
        var buffer = GdalNative.VSIMalloc((nuint)data.Length);
        if (buffer == IntPtr.Zero) throw new OutOfMemoryException($"GDAL could not allocate {data.Length} bytes for {name}");
        unsafe { data.CopyTo(new Span<byte>((void*)buffer, data.Length)); }
        var file = GdalNative.VSIFileFromMemBuffer(memPath, buffer, (ulong)data.Length, takeOwnership: 1);
        if (file == IntPtr.Zero)
        {
            GdalNative.VSIFree(buffer);
            throw new RasterException(name, $"GDAL could not create an in-memory file: {GdalLibrary.LastErrorMessage()}");
        }
        GdalNative.VSIFCloseL(file);
    }
}
