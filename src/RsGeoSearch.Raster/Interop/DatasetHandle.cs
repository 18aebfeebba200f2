using System.Runtime.InteropServices;

namespace RsGeoSearch.Raster.Interop;

/// <summary>
/// Owns a GDALDatasetH (closed with GDALClose) and, for datasets opened from memory, the /vsimem/ file
/// behind it, which is unlinked after the dataset is closed.
/// </summary>
internal sealed class DatasetHandle : SafeHandle
{
    private string? memFile;

    public DatasetHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public static DatasetHandle Own(IntPtr handle, string? memFile = null)
    {
        var h = new DatasetHandle();
        h.SetHandle(handle);
        h.memFile = memFile;
        return h;
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        GdalNative.GDALClose(handle);
        if (memFile is not null) GdalNative.VSIUnlink(memFile);
        return true;
    }
}
