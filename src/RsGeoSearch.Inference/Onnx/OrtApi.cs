using System.Runtime.InteropServices;
using System.Text;
using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Onnx;

/// <summary>
/// The ONNX Runtime C API function table (<c>OrtGetApiBase()-&gt;GetApi(ApiVersion)</c>), read by index.
/// Indices follow the order of <c>struct OrtApi</c> in <c>include/onnxruntime/core/session/onnxruntime_c_api.h</c>;
/// the table is append-only across versions, so an index valid for API version 13 stays valid in 1.30.
/// One process-wide instance: the library, the table, the environment and the CPU memory info.
/// </summary>
internal sealed unsafe class OrtApi
{
    /// <summary>The API version requested: every function used here exists since this version (1.30 supports 1..30).</summary>
    public const uint ApiVersion = 16;
    public const string LibraryEnvironmentVariable = "RSGEO_ONNXRUNTIME_LIB";
    public const string LibraryFileName = "libonnxruntime.so.1";

    // Indices into struct OrtApi (0-based).
    private const int IxGetErrorCode = 1, IxGetErrorMessage = 2, IxCreateEnv = 3, IxCreateSession = 7, IxRun = 9,
        IxCreateSessionOptions = 10, IxSetSessionExecutionMode = 13, IxEnableProfiling = 14, IxSetSessionGraphOptimizationLevel = 23,
        IxSetIntraOpNumThreads = 24, IxSetInterOpNumThreads = 25, IxSessionGetInputCount = 30, IxSessionGetOutputCount = 31,
        IxSessionGetInputTypeInfo = 33, IxSessionGetOutputTypeInfo = 34, IxSessionGetInputName = 36, IxSessionGetOutputName = 37,
        IxCreateTensorWithDataAsOrtValue = 49, IxGetTensorMutableData = 51, IxCastTypeInfoToTensorInfo = 55,
        IxGetOnnxTypeFromTypeInfo = 56, IxGetTensorElementType = 60, IxGetDimensionsCount = 61, IxGetDimensions = 62,
        IxGetTensorShapeElementCount = 64, IxGetTensorTypeAndShape = 65, IxCreateCpuMemoryInfo = 69, IxAllocatorFree = 76,
        IxGetAllocatorWithDefaultOptions = 78, IxReleaseEnv = 92, IxReleaseStatus = 93, IxReleaseMemoryInfo = 94,
        IxReleaseSession = 95, IxReleaseValue = 96, IxReleaseTypeInfo = 98, IxReleaseTensorTypeAndShapeInfo = 99,
        IxReleaseSessionOptions = 100, IxSessionEndProfiling = 110, IxGetAvailableProviders = 125, IxReleaseAvailableProviders = 126,
        IxSessionOptionsAppendExecutionProvider_CUDA_V2 = 204, IxCreateCUDAProviderOptions = 205,
        IxUpdateCUDAProviderOptions = 206, IxReleaseCUDAProviderOptions = 208;

    private static readonly Lazy<OrtApi> Shared = new(() => new OrtApi(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly nint* _table;

    public static OrtApi Instance => Shared.Value;

    public string LibraryPath { get; }
    public string Version { get; }
    public OrtEnvHandle Env { get; }
    public OrtMemoryInfoHandle CpuMemory { get; }
    public nint DefaultAllocator { get; }

    private OrtApi()
    {
        LibraryPath = ResolveLibraryPath();
        nint lib;
        try { lib = NativeLibrary.Load(LibraryPath); }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new InputException($"ONNX Runtime could not be loaded from {LibraryPath}: {e.Message}. Run ./setup.sh to install it, or set {LibraryEnvironmentVariable} to a libonnxruntime.so.1 (1.16 or newer).", e);
        }
        if (!NativeLibrary.TryGetExport(lib, "OrtGetApiBase", out var getApiBase))
            throw new InputException($"{LibraryPath} is not an ONNX Runtime library (no OrtGetApiBase export)");
        var apiBase = ((delegate* unmanaged[Cdecl]<nint*>)getApiBase)();
        Version = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged[Cdecl]<byte*>)apiBase[1])()) ?? "?";
        _table = ((delegate* unmanaged[Cdecl]<uint, nint*>)apiBase[0])(ApiVersion);
        if (_table == null)
            throw new InputException($"ONNX Runtime {Version} at {LibraryPath} does not offer C API version {ApiVersion}; install 1.16 or newer (./setup.sh installs 1.30)");

        nint env;
        fixed (byte* logId = "rsgeo\0"u8) Check(((delegate* unmanaged[Cdecl]<int, byte*, nint*, nint>)_table[IxCreateEnv])(3 /* ERROR */, logId, &env));
        Env = new OrtEnvHandle(env);
        nint mem;
        Check(((delegate* unmanaged[Cdecl]<int, int, nint*, nint>)_table[IxCreateCpuMemoryInfo])(0 /* OrtDeviceAllocator */, 0 /* OrtMemTypeDefault */, &mem));
        CpuMemory = new OrtMemoryInfoHandle(mem);
        nint alloc;
        Check(((delegate* unmanaged[Cdecl]<nint*, nint>)_table[IxGetAllocatorWithDefaultOptions])(&alloc));
        DefaultAllocator = alloc;
    }

    internal static string ResolveLibraryPath()
    {
        var env = Environment.GetEnvironmentVariable(LibraryEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            if (!File.Exists(env)) throw new InputException($"{LibraryEnvironmentVariable}={env}: no such file");
            return Path.GetFullPath(env);
        }
        var dir = RepositoryPaths.NativeDirectory();
        var path = dir is null ? null : Path.Combine(dir, LibraryFileName);
        if (path is null || !File.Exists(path))
            throw new InputException($"ONNX Runtime ({LibraryFileName}) was not found{(path is null ? "" : $" at {path}")}. Run ./setup.sh to install it into native/, or set {LibraryEnvironmentVariable} to its path.");
        return path;
    }

    // ---- status ----

    /// <summary>Throws <see cref="OnnxRuntimeException"/> carrying ORT's message when <paramref name="status"/> is not null; releases it.</summary>
    public void Check(nint status, string? context = null)
    {
        if (status == 0) return;
        var code = ((delegate* unmanaged[Cdecl]<nint, int>)_table[IxGetErrorCode])(status);
        var message = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged[Cdecl]<nint, byte*>)_table[IxGetErrorMessage])(status)) ?? "unknown error";
        ((delegate* unmanaged[Cdecl]<nint, void>)_table[IxReleaseStatus])(status);
        throw new OnnxRuntimeException((OrtErrorCode)code, context is null ? message : $"{context}: {message}");
    }

    // ---- providers ----

    public string[] GetAvailableProviders()
    {
        byte** list;
        int n;
        Check(((delegate* unmanaged[Cdecl]<byte***, int*, nint>)_table[IxGetAvailableProviders])(&list, &n));
        var result = new string[n];
        for (var i = 0; i < n; i++) result[i] = Marshal.PtrToStringUTF8((nint)list[i]) ?? "";
        Check(((delegate* unmanaged[Cdecl]<byte**, int, nint>)_table[IxReleaseAvailableProviders])(list, n));
        return result;
    }

    // ---- session options ----

    public OrtSessionOptionsHandle CreateSessionOptions()
    {
        nint p;
        Check(((delegate* unmanaged[Cdecl]<nint*, nint>)_table[IxCreateSessionOptions])(&p));
        return new OrtSessionOptionsHandle(p);
    }

    public void SetIntraOpThreads(OrtSessionOptionsHandle o, int n) =>
        Check(((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[IxSetIntraOpNumThreads])(o.Raw, n));

    public void SetInterOpThreads(OrtSessionOptionsHandle o, int n) =>
        Check(((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[IxSetInterOpNumThreads])(o.Raw, n));

    public void SetGraphOptimizationLevel(OrtSessionOptionsHandle o, int level) =>
        Check(((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[IxSetSessionGraphOptimizationLevel])(o.Raw, level));

    public void SetExecutionMode(OrtSessionOptionsHandle o, bool parallel) =>
        Check(((delegate* unmanaged[Cdecl]<nint, int, nint>)_table[IxSetSessionExecutionMode])(o.Raw, parallel ? 1 : 0));

    /// <summary>Turns on ORT's per-node profiling; the JSON file name starts with <paramref name="prefix"/>.</summary>
    public void EnableProfiling(OrtSessionOptionsHandle o, string prefix)
    {
        fixed (byte* p = Utf8(prefix)) Check(((delegate* unmanaged[Cdecl]<nint, byte*, nint>)_table[IxEnableProfiling])(o.Raw, p));
    }

    /// <summary>Ends profiling of a session and returns the profile file's path.</summary>
    public string EndProfiling(OrtSessionHandle s)
    {
        byte* name;
        Check(((delegate* unmanaged[Cdecl]<nint, nint, byte**, nint>)_table[IxSessionEndProfiling])(s.Raw, DefaultAllocator, &name));
        try { return Marshal.PtrToStringUTF8((nint)name) ?? ""; }
        finally { Check(((delegate* unmanaged[Cdecl]<nint, void*, nint>)_table[IxAllocatorFree])(DefaultAllocator, name)); }
    }

    /// <summary>Adds the CUDA execution provider for <paramref name="deviceId"/>; throws with ORT's message when the library cannot provide it.</summary>
    public void AppendCuda(OrtSessionOptionsHandle o, int deviceId)
    {
        nint p;
        Check(((delegate* unmanaged[Cdecl]<nint*, nint>)_table[IxCreateCUDAProviderOptions])(&p));
        using var cuda = new OrtCudaProviderOptionsHandle(p);
        var key = Utf8("device_id");
        var value = Utf8(deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        fixed (byte* k = key)
        fixed (byte* v = value)
        {
            var keys = stackalloc byte*[1] { k };
            var values = stackalloc byte*[1] { v };
            Check(((delegate* unmanaged[Cdecl]<nint, byte**, byte**, nuint, nint>)_table[IxUpdateCUDAProviderOptions])(cuda.Raw, keys, values, 1));
        }
        Check(((delegate* unmanaged[Cdecl]<nint, nint, nint>)_table[IxSessionOptionsAppendExecutionProvider_CUDA_V2])(o.Raw, cuda.Raw));
    }

    // ---- session ----

    public OrtSessionHandle CreateSession(string modelPath, OrtSessionOptionsHandle options)
    {
        nint p;
        fixed (byte* path = Utf8(modelPath))
            Check(((delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint>)_table[IxCreateSession])(Env.Raw, path, options.Raw, &p), modelPath);
        return new OrtSessionHandle(p);
    }

    public int InputCount(OrtSessionHandle s)
    {
        nuint n;
        Check(((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_table[IxSessionGetInputCount])(s.Raw, &n));
        return checked((int)n);
    }

    public int OutputCount(OrtSessionHandle s)
    {
        nuint n;
        Check(((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_table[IxSessionGetOutputCount])(s.Raw, &n));
        return checked((int)n);
    }

    public string InputName(OrtSessionHandle s, int index) => Name(s, index, IxSessionGetInputName);
    public string OutputName(OrtSessionHandle s, int index) => Name(s, index, IxSessionGetOutputName);

    private string Name(OrtSessionHandle s, int index, int fn)
    {
        byte* name;
        Check(((delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)_table[fn])(s.Raw, (nuint)index, DefaultAllocator, &name));
        try { return Marshal.PtrToStringUTF8((nint)name) ?? ""; }
        finally { Check(((delegate* unmanaged[Cdecl]<nint, void*, nint>)_table[IxAllocatorFree])(DefaultAllocator, name)); }
    }

    public TensorInfo InputInfo(OrtSessionHandle s, int index, string name) => Info(s, index, name, IxSessionGetInputTypeInfo);
    public TensorInfo OutputInfo(OrtSessionHandle s, int index, string name) => Info(s, index, name, IxSessionGetOutputTypeInfo);

    private TensorInfo Info(OrtSessionHandle s, int index, string name, int fn)
    {
        nint typeInfo;
        Check(((delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)_table[fn])(s.Raw, (nuint)index, &typeInfo));
        using var owner = new OrtTypeInfoHandle(typeInfo);
        int onnxType;
        Check(((delegate* unmanaged[Cdecl]<nint, int*, nint>)_table[IxGetOnnxTypeFromTypeInfo])(typeInfo, &onnxType));
        if (onnxType != 1 /* ONNX_TYPE_TENSOR */) return new TensorInfo(name, TensorElementType.Undefined, [], IsTensor: false);
        nint tensorInfo; // owned by typeInfo: not released separately
        Check(((delegate* unmanaged[Cdecl]<nint, nint*, nint>)_table[IxCastTypeInfoToTensorInfo])(typeInfo, &tensorInfo));
        var (type, shape) = TypeAndShape(tensorInfo);
        return new TensorInfo(name, type, shape, IsTensor: true);
    }

    private (TensorElementType Type, long[] Shape) TypeAndShape(nint tensorInfo)
    {
        int type;
        Check(((delegate* unmanaged[Cdecl]<nint, int*, nint>)_table[IxGetTensorElementType])(tensorInfo, &type));
        nuint rank;
        Check(((delegate* unmanaged[Cdecl]<nint, nuint*, nint>)_table[IxGetDimensionsCount])(tensorInfo, &rank));
        var shape = new long[(int)rank];
        fixed (long* dims = shape)
            Check(((delegate* unmanaged[Cdecl]<nint, long*, nuint, nint>)_table[IxGetDimensions])(tensorInfo, dims, rank));
        return ((TensorElementType)type, shape);
    }

    // ---- values ----

    /// <summary>Wraps caller memory (which must stay pinned until the value is released) as a tensor.</summary>
    public OrtValueHandle CreateTensor(void* data, long byteLength, ReadOnlySpan<long> shape, TensorElementType type)
    {
        nint p;
        fixed (long* s = shape)
            Check(((delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint>)_table[IxCreateTensorWithDataAsOrtValue])(
                CpuMemory.Raw, data, (nuint)byteLength, s, (nuint)shape.Length, (int)type, &p));
        return new OrtValueHandle(p);
    }

    public (TensorElementType Type, long[] Shape) ValueTypeAndShape(OrtValueHandle v)
    {
        nint info;
        Check(((delegate* unmanaged[Cdecl]<nint, nint*, nint>)_table[IxGetTensorTypeAndShape])(v.Raw, &info));
        using var owner = new OrtTensorTypeAndShapeInfoHandle(info);
        return TypeAndShape(info);
    }

    public void* TensorData(OrtValueHandle v)
    {
        void* data;
        Check(((delegate* unmanaged[Cdecl]<nint, void**, nint>)_table[IxGetTensorMutableData])(v.Raw, &data));
        return data;
    }

    public void Run(OrtSessionHandle s, byte** inputNames, nint* inputs, int inputCount, byte** outputNames, nint* outputs, int outputCount) =>
        Check(((delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)_table[IxRun])(
            s.Raw, 0, inputNames, inputs, (nuint)inputCount, outputNames, (nuint)outputCount, outputs));

    // ---- release (used by the SafeHandles) ----

    internal void Release(int index, nint handle) => ((delegate* unmanaged[Cdecl]<nint, void>)_table[index])(handle);

    internal const int ReleaseEnvIndex = IxReleaseEnv, ReleaseMemoryInfoIndex = IxReleaseMemoryInfo, ReleaseSessionIndex = IxReleaseSession,
        ReleaseValueIndex = IxReleaseValue, ReleaseTypeInfoIndex = IxReleaseTypeInfo,
        ReleaseTensorTypeAndShapeInfoIndex = IxReleaseTensorTypeAndShapeInfo, ReleaseSessionOptionsIndex = IxReleaseSessionOptions,
        ReleaseCudaProviderOptionsIndex = IxReleaseCUDAProviderOptions;

    public static byte[] Utf8(string s)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }
}

/// <summary>An owned ORT object pointer released through the API table's Release function for its type.</summary>
internal abstract class OrtHandle : SafeHandle
{
    private readonly int _releaseIndex;

    protected OrtHandle(nint handle, int releaseIndex) : base(0, ownsHandle: true)
    {
        _releaseIndex = releaseIndex;
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The raw pointer; throws when the handle was disposed.</summary>
    public nint Raw => IsClosed ? throw new ObjectDisposedException(GetType().Name) : handle;

    protected override bool ReleaseHandle()
    {
        OrtApi.Instance.Release(_releaseIndex, handle);
        return true;
    }
}

internal sealed class OrtEnvHandle(nint h) : OrtHandle(h, OrtApi.ReleaseEnvIndex);
internal sealed class OrtMemoryInfoHandle(nint h) : OrtHandle(h, OrtApi.ReleaseMemoryInfoIndex);
internal sealed class OrtSessionOptionsHandle(nint h) : OrtHandle(h, OrtApi.ReleaseSessionOptionsIndex);
internal sealed class OrtSessionHandle(nint h) : OrtHandle(h, OrtApi.ReleaseSessionIndex);
internal sealed class OrtValueHandle(nint h) : OrtHandle(h, OrtApi.ReleaseValueIndex);
internal sealed class OrtTypeInfoHandle(nint h) : OrtHandle(h, OrtApi.ReleaseTypeInfoIndex);
internal sealed class OrtTensorTypeAndShapeInfoHandle(nint h) : OrtHandle(h, OrtApi.ReleaseTensorTypeAndShapeInfoIndex);
internal sealed class OrtCudaProviderOptionsHandle(nint h) : OrtHandle(h, OrtApi.ReleaseCudaProviderOptionsIndex);
