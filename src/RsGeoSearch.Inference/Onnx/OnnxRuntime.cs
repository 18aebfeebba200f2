using Microsoft.ML.OnnxRuntime;

namespace RsGeoSearch.Inference.Onnx;

/// <summary>Facts about the ONNX Runtime the process runs on (the Microsoft.ML.OnnxRuntime or .Gpu.Linux package).</summary>
public static class OnnxRuntime
{
    // ORT's default logger prints provider-load failures in red on stderr; OnnxSession turns them into one clear line instead.
    private static readonly Lazy<OrtEnv> Env = new(() =>
    {
        var options = new EnvironmentCreationOptions { logId = "rsgeo", logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        return OrtEnv.CreateInstanceWithOptions(ref options);
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    internal static OrtEnv Instance => Env.Value;

    /// <summary>The native library's version string, e.g. "1.31.1".</summary>
    public static string Version => Instance.GetVersionString();

    /// <summary>The path the native library was loaded from (read from the process's memory map).</summary>
    public static string LibraryPath
    {
        get
        {
            _ = Instance;
            var line = File.Exists("/proc/self/maps")
                ? File.ReadLines("/proc/self/maps").FirstOrDefault(l => l.Contains("/libonnxruntime.so", StringComparison.Ordinal))
                : null;
            return line is null ? "libonnxruntime.so" : line[line.IndexOf('/', StringComparison.Ordinal)..].Trim();
        }
    }

    /// <summary>Execution providers compiled into the library (a listed provider may still lack its runtime libraries).</summary>
    public static IReadOnlyList<string> AvailableProviders => Instance.GetAvailableProviders();

    /// <summary>True when this build carries the CUDA execution provider (built with ./setup.sh --gpu).</summary>
    public static bool HasCuda => AvailableProviders.Contains("CUDAExecutionProvider");
}
