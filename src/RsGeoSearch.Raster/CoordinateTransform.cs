using RsGeoSearch.Core;
using RsGeoSearch.Raster.Interop;

namespace RsGeoSearch.Raster;

/// <summary>
/// An OSR/OCT coordinate transformation into EPSG:4326 with traditional GIS axis order on both sides
/// (x = easting or longitude, y = northing or latitude). Not thread-safe; dispose it to free the native objects.
/// </summary>
public sealed class CoordinateTransform : IDisposable
{
    private readonly CoordinateTransformationHandle handle;
    private readonly string context;

    private CoordinateTransform(CoordinateTransformationHandle handle, string context)
    {
        this.handle = handle;
        this.context = context;
    }

    /// <summary>From any CRS definition GDAL accepts ("EPSG:32629", WKT, PROJ string) to EPSG:4326.</summary>
    public static CoordinateTransform ToWgs84(string sourceCrs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceCrs);
        GdalLibrary.EnsureInitialized();
        using var source = SpatialReferenceHandle.Own(GdalNative.OSRNewSpatialReference(null));
        GdalNative.CPLErrorReset();
        if (GdalNative.OSRSetFromUserInput(source, sourceCrs) != 0)
            throw new InputException($"'{Shorten(sourceCrs)}' is not a coordinate reference system GDAL understands: {GdalLibrary.LastErrorMessage()}");
        GdalNative.OSRSetAxisMappingStrategy(source, GdalNative.OAMS_TRADITIONAL_GIS_ORDER);
        return Create(source, Shorten(sourceCrs));
    }

    internal static CoordinateTransform Create(SpatialReferenceHandle source, string context)
    {
        GdalLibrary.EnsureInitialized();
        using var target = SpatialReferenceHandle.Own(GdalNative.OSRNewSpatialReference(null));
        GdalNative.CPLErrorReset();
        if (GdalNative.OSRImportFromEPSG(target, 4326) != 0)
            throw new InvalidOperationException($"GDAL/PROJ cannot build EPSG:4326 (is proj-data installed?): {GdalLibrary.LastErrorMessage()}");
        GdalNative.OSRSetAxisMappingStrategy(target, GdalNative.OAMS_TRADITIONAL_GIS_ORDER);
        GdalNative.CPLErrorReset();
        var ct = CoordinateTransformationHandle.Own(GdalNative.OCTNewCoordinateTransformation(source, target));
        if (ct.IsInvalid)
            throw new RasterException(context, $"no transformation from the raster's CRS to EPSG:4326: {GdalLibrary.LastErrorMessage()}");
        return new CoordinateTransform(ct, context);
    }

    /// <summary>Transforms points in place; throws when any point cannot be transformed.</summary>
    public unsafe void Transform(Span<double> x, Span<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("x and y must have the same length");
        if (x.Length == 0) return;
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        var success = x.Length <= 256 ? stackalloc int[x.Length] : new int[x.Length];
        GdalNative.CPLErrorReset();
        int ok;
        fixed (double* px = x, py = y)
        fixed (int* ps = success)
            ok = GdalNative.OCTTransformEx(handle, x.Length, px, py, null, ps);
        var failed = 0;
        foreach (var s in success) if (s == 0) failed++;
        if (ok == 0 || failed > 0)
            throw new RasterException(context, $"{failed} of {x.Length} point(s) could not be transformed to EPSG:4326: {GdalLibrary.LastErrorMessage()}");
    }

    /// <summary>Transforms one point.</summary>
    public (double Lon, double Lat) Transform(double x, double y)
    {
        Span<double> xs = [x];
        Span<double> ys = [y];
        Transform(xs, ys);
        return (xs[0], ys[0]);
    }

    public void Dispose() => handle.Dispose();

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
