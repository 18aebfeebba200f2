using System.Buffers;
using System.Runtime.InteropServices;
using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Onnx;

/// <summary>
/// One ONNX graph loaded into ONNX Runtime. Thread-safe for <see cref="Run"/>; dispose to free the native session.
/// </summary>
public sealed unsafe class OnnxSession : IDisposable
{
    private readonly OrtApi _api;
    private readonly OrtSessionHandle _session;
    private readonly nint[] _inputNames;   // UTF-8, unmanaged, freed on dispose
    private readonly nint[] _outputNames;
    private int _disposed;

    private OnnxSession(OrtApi api, OrtSessionHandle session, string path, ExecutionProvider provider, string? providerNote)
    {
        _api = api;
        _session = session;
        ModelPath = path;
        Provider = provider;
        ProviderNote = providerNote;
        var inputs = new List<TensorInfo>();
        for (var i = 0; i < api.InputCount(session); i++) inputs.Add(api.InputInfo(session, i, api.InputName(session, i)));
        var outputs = new List<TensorInfo>();
        for (var i = 0; i < api.OutputCount(session); i++) outputs.Add(api.OutputInfo(session, i, api.OutputName(session, i)));
        Inputs = inputs;
        Outputs = outputs;
        _inputNames = inputs.Select(t => Marshal.StringToCoTaskMemUTF8(t.Name)).ToArray();
        _outputNames = outputs.Select(t => Marshal.StringToCoTaskMemUTF8(t.Name)).ToArray();
    }

    public string ModelPath { get; }
    public IReadOnlyList<TensorInfo> Inputs { get; }
    public IReadOnlyList<TensorInfo> Outputs { get; }

    /// <summary>The provider the session actually runs on (Auto resolves to Cpu or Cuda).</summary>
    public ExecutionProvider Provider { get; }

    /// <summary>Why Auto fell back to the CPU, when it did.</summary>
    public string? ProviderNote { get; }

    /// <summary>Loads an ONNX file. Throws <see cref="InputException"/> for a missing file or an unavailable provider, <see cref="OnnxRuntimeException"/> for ORT errors.</summary>
    public static OnnxSession Open(string path, SessionSettings? settings = null)
    {
        settings ??= SessionSettings.Default;
        if (!File.Exists(path)) throw new InputException($"ONNX model file not found: {path}");
        var api = OrtApi.Instance;
        string? note = null;
        var provider = ExecutionProvider.Cpu;
        var options = CreateOptions(api, settings);
        try
        {
            if (settings.Provider == ExecutionProvider.Cuda)
            {
                try { api.AppendCuda(options, settings.CudaDeviceId); }
                catch (OnnxRuntimeException e)
                {
                    throw new InputException(
                        $"execution provider 'cuda' was requested, but ONNX Runtime {api.Version} ({api.LibraryPath}) cannot run CUDA: {e.Message}. " +
                        "The onnxruntime-node build installed by ./setup.sh is CPU-only; use --provider cpu (or auto), or set " +
                        $"{OrtApi.LibraryEnvironmentVariable} to a GPU build of libonnxruntime.so.1 with its CUDA provider libraries.", e);
                }
                provider = ExecutionProvider.Cuda;
            }
            else if (settings.Provider == ExecutionProvider.Auto)
            {
                if (!api.GetAvailableProviders().Contains("CUDAExecutionProvider"))
                    note = "this ONNX Runtime build has no CUDA execution provider";
                else
                {
                    try
                    {
                        api.AppendCuda(options, settings.CudaDeviceId);
                        provider = ExecutionProvider.Cuda;
                    }
                    catch (OnnxRuntimeException e)
                    {
                        note = $"CUDA is not usable: {FirstLine(e.Message)}";
                        options.Dispose();
                        options = CreateOptions(api, settings);
                    }
                }
            }
            var session = api.CreateSession(Path.GetFullPath(path), options);
            try { return new OnnxSession(api, session, Path.GetFullPath(path), provider, note); }
            catch { session.Dispose(); throw; }
        }
        finally { options.Dispose(); }
    }

    private static OrtSessionOptionsHandle CreateOptions(OrtApi api, SessionSettings s)
    {
        var o = api.CreateSessionOptions();
        try
        {
            if (s.IntraOpThreads > 0) api.SetIntraOpThreads(o, s.IntraOpThreads);
            if (s.InterOpThreads > 0) api.SetInterOpThreads(o, s.InterOpThreads);
            api.SetGraphOptimizationLevel(o, (int)s.Optimization);
            if (s.ProfileFilePrefix is not null) api.EnableProfiling(o, s.ProfileFilePrefix);
            return o;
        }
        catch { o.Dispose(); throw; }
    }

    private static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();

    /// <summary>Runs the graph on <paramref name="inputs"/> and returns the requested float outputs (all outputs when null).</summary>
    public OutputTensor[] Run(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string>? outputNames = null)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var outIdx = (outputNames ?? Outputs.Select(o => o.Name).ToArray()).Select(n => IndexOf(Outputs, n, "output")).ToArray();
        var inIdx = inputs.Select(t => IndexOf(Inputs, t.Name, "input")).ToArray();
        foreach (var missing in Inputs.Where(i => inputs.All(t => t.Name != i.Name)))
            throw new ArgumentException($"{Path.GetFileName(ModelPath)}: input '{missing.Name}' ({missing}) was not given");

        var n = inputs.Count;
        var pins = new MemoryHandle[n];
        var values = new OrtValueHandle?[n];
        var outputs = new nint[outIdx.Length];
        var addedRef = false;
        try
        {
            _session.DangerousAddRef(ref addedRef);
            var inputPtrs = stackalloc nint[n];
            var inputNamePtrs = stackalloc byte*[n];
            var outputNamePtrs = stackalloc byte*[outIdx.Length];
            for (var i = 0; i < n; i++)
            {
                var t = inputs[i];
                var expected = Inputs[inIdx[i]];
                if (expected.ElementType != t.ElementType)
                    throw new ArgumentException($"{Path.GetFileName(ModelPath)}: input '{t.Name}' wants {expected.ElementType}, got {t.ElementType}");
                if (t.ElementType == TensorElementType.Float)
                {
                    pins[i] = t.Floats.Pin();
                    values[i] = _api.CreateTensor(pins[i].Pointer, (long)t.Floats.Length * sizeof(float), t.Shape, t.ElementType);
                }
                else
                {
                    pins[i] = t.Longs.Pin();
                    values[i] = _api.CreateTensor(pins[i].Pointer, (long)t.Longs.Length * sizeof(long), t.Shape, t.ElementType);
                }
                inputPtrs[i] = values[i]!.Raw;
                inputNamePtrs[i] = (byte*)_inputNames[inIdx[i]];
            }
            for (var j = 0; j < outIdx.Length; j++) outputNamePtrs[j] = (byte*)_outputNames[outIdx[j]];
            fixed (nint* outPtrs = outputs)
                _api.Run(_session, inputNamePtrs, inputPtrs, n, outputNamePtrs, outPtrs, outIdx.Length);

            var result = new OutputTensor[outIdx.Length];
            for (var j = 0; j < outIdx.Length; j++)
            {
                using var value = new OrtValueHandle(outputs[j]);
                outputs[j] = 0;
                var (type, shape) = _api.ValueTypeAndShape(value);
                if (type != TensorElementType.Float)
                    throw new NotSupportedException($"{Path.GetFileName(ModelPath)}: output '{Outputs[outIdx[j]].Name}' is {type}; only float outputs are read");
                var count = shape.Aggregate(1L, (a, d) => a * d);
                var data = new float[count];
                new ReadOnlySpan<float>(_api.TensorData(value), (int)count).CopyTo(data);
                result[j] = new OutputTensor(Outputs[outIdx[j]].Name, shape, data);
            }
            return result;
        }
        finally
        {
            foreach (var o in outputs) if (o != 0) new OrtValueHandle(o).Dispose();
            foreach (var v in values) v?.Dispose();
            foreach (var p in pins) p.Dispose();
            if (addedRef) _session.DangerousRelease();
        }
    }

    /// <summary>Ends profiling (enabled with <see cref="SessionSettings.ProfileFilePrefix"/>) and returns the JSON profile's path.</summary>
    public string EndProfiling()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _api.EndProfiling(_session);
    }

    private int IndexOf(IReadOnlyList<TensorInfo> list, string name, string what)
    {
        for (var i = 0; i < list.Count; i++) if (list[i].Name == name) return i;
        throw new ArgumentException($"{Path.GetFileName(ModelPath)} has no {what} '{name}'; its {what}s: {string.Join(", ", list.Select(t => t.ToString()))}");
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _session.Dispose();
        foreach (var p in _inputNames) Marshal.FreeCoTaskMem(p);
        foreach (var p in _outputNames) Marshal.FreeCoTaskMem(p);
    }
}
