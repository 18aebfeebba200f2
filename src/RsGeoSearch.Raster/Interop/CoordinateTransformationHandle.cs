using System.Runtime.InteropServices;

namespace RsGeoSearch.Raster.Interop;

/// <summary>Owns an OGRCoordinateTransformationH (released with OCTDestroyCoordinateTransformation).</summary>
internal sealed class CoordinateTransformationHandle : SafeHandle
{
    public CoordinateTransformationHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public static CoordinateTransformationHandle Own(IntPtr handle)
    {
        var h = new CoordinateTransformationHandle();
        h.SetHandle(handle);
        return h;
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        GdalNative.OCTDestroyCoordinateTransformation(handle);
        return true;
    }
}
