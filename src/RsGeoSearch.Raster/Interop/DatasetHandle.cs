using System.Runtime.InteropServices;

namespace RsGeoSearch.Raster.Interop;

/// <summary>
/// Owns a GDALDatasetH (closed with GDALClose) and, for datasets opened from memory, the /vsimem/ file
/// behind it, which is unlinked after the dataset is closed; for a virtual warp, the source dataset it reads,
/// which is closed after the warp.
/// </summary>
internal sealed class DatasetHandle : SafeHandle
{
    private string? memFile;
    private DatasetHandle? source;

    public DatasetHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public static DatasetHandle Own(IntPtr handle, string? memFile = null)
    {
        var h = new DatasetHandle();
        h.SetHandle(handle);
        h.memFile = memFile;
        return h;
    }

    /// <summary>Owns a virtual dataset (a warped VRT) and the <paramref name="source"/> it reads.</summary>
    public static DatasetHandle OwnWithSource(IntPtr handle, DatasetHandle source)
    {
        var h = Own(handle);
        h.source = source;
        // The source is released only by this handle, after the warp that reads it (never by its own finalizer first).
        GC.SuppressFinalize(source);
        return h;
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public bool HasSource => source is not null;

    protected override bool ReleaseHandle()
    {
        GdalNative.GDALClose(handle);
        if (memFile is not null) GdalNative.VSIUnlink(memFile);
        source?.Dispose();
        return true;
    }
}
