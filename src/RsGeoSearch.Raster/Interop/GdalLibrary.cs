using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RsGeoSearch.Raster.Interop;

/// <summary>
/// Loads the GDAL shared library (RSGEO_GDAL_LIBRARY overrides; else Debian's libgdal.so.32 and its neighbours),
/// registers the drivers once, and silences GDAL's stderr printing: failures are read back with
/// CPLGetLastErrorMsg and turned into exceptions instead.
/// </summary>
internal static class GdalLibrary
{
    public const string EnvironmentVariable = "RSGEO_GDAL_LIBRARY";
    private static readonly string[] Candidates =
        ["libgdal.so.32", "libgdal.so.33", "libgdal.so.34", "libgdal.so.35", "libgdal.so.36", "libgdal.so.37", "libgdal.so", "libgdal.dylib", "gdal"];

    private static readonly Lazy<IntPtr> Handle = new(Load);
    private static readonly object InitLock = new();
    private static volatile bool initialized;

#pragma warning disable CA2255 // a module initializer is the documented place for a DllImportResolver
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void InstallResolver() =>
        NativeLibrary.SetDllImportResolver(typeof(GdalLibrary).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == GdalNative.Lib ? Handle.Value : IntPtr.Zero;

    private static IntPtr Load()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            if (NativeLibrary.TryLoad(env, out var h)) return h;
            throw new DllNotFoundException($"{EnvironmentVariable}={env} could not be loaded");
        }
        foreach (var candidate in Candidates)
            if (NativeLibrary.TryLoad(candidate, out var h)) return h;
        throw new DllNotFoundException(
            "the GDAL library (libgdal.so.32) was not found: install Debian's libgdal32 (apt-get install libgdal32 gdal-bin) " +
            $"or point {EnvironmentVariable} at libgdal.so");
    }

    /// <summary>Registers all drivers and installs the quiet error handler, once per process.</summary>
    public static void EnsureInitialized()
    {
        if (initialized) return;
        lock (InitLock)
        {
            if (initialized) return;
            GdalNative.GDALAllRegister();
            if (NativeLibrary.TryGetExport(Handle.Value, "CPLQuietErrorHandler", out var quiet))
                GdalNative.CPLSetErrorHandler(quiet);
            initialized = true;
        }
    }

    /// <summary>GDAL's last error message on this thread, or a placeholder.</summary>
    public static string LastErrorMessage()
    {
        var msg = GdalNative.Utf8(GdalNative.CPLGetLastErrorMsg());
        return string.IsNullOrWhiteSpace(msg) ? "GDAL gave no message" : msg.Trim();
    }

    /// <summary>Throws <see cref="RasterException"/> when <paramref name="cplErr"/> is CE_Failure or CE_Fatal.</summary>
    public static void Check(int cplErr, string file, string action)
    {
        if (cplErr >= GdalNative.CE_Failure) throw new RasterException(file, $"{action}: {LastErrorMessage()}");
    }

    /// <summary>Throws when the thread's last GDAL error (since the last CPLErrorReset) is a failure.</summary>
    public static void CheckLast(string file, string action) => Check(GdalNative.CPLGetLastErrorType(), file, action);
}
