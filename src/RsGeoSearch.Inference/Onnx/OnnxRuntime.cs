namespace RsGeoSearch.Inference.Onnx;

/// <summary>Facts about the loaded ONNX Runtime library (loading it on first use).</summary>
public static class OnnxRuntime
{
    /// <summary>The library's version string, e.g. "1.30.0".</summary>
    public static string Version => OrtApi.Instance.Version;

    /// <summary>The path the library was loaded from.</summary>
    public static string LibraryPath => OrtApi.Instance.LibraryPath;

    /// <summary>The C API version requested from the library.</summary>
    public static uint ApiVersion => OrtApi.ApiVersion;

    /// <summary>Execution providers compiled into the library (a listed provider may still lack its runtime libraries).</summary>
    public static IReadOnlyList<string> AvailableProviders => OrtApi.Instance.GetAvailableProviders();
}
