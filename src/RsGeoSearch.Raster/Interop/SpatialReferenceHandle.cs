using System.Runtime.InteropServices;

namespace RsGeoSearch.Raster.Interop;

/// <summary>Owns an OGRSpatialReferenceH (released with OSRDestroySpatialReference).</summary>
internal sealed class SpatialReferenceHandle : SafeHandle
{
    public SpatialReferenceHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public static SpatialReferenceHandle Own(IntPtr handle)
    {
        var h = new SpatialReferenceHandle();
        h.SetHandle(handle);
        return h;
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        GdalNative.OSRDestroySpatialReference(handle);
        return true;
    }
}
