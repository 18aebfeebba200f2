using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Onnx;

/// <summary>
/// One ONNX graph loaded into ONNX Runtime (<see cref="InferenceSession"/>), on the execution provider the settings
/// choose. Thread-safe for <see cref="Run"/>; dispose to free the native session.
/// </summary>
public sealed partial class OnnxSession : IDisposable
{
    private readonly InferenceSession _session;
    private int _disposed;
    private static int _fallbackNoted;

    private OnnxSession(InferenceSession session, string path, ExecutionProvider provider, string? providerNote)
    {
        _session = session;
        ModelPath = path;
        Provider = provider;
        ProviderNote = providerNote;
        Inputs = session.InputNames.Select(n => Info(n, session.InputMetadata[n])).ToArray();
        Outputs = session.OutputNames.Select(n => Info(n, session.OutputMetadata[n])).ToArray();
    }

    public string ModelPath { get; }
    public IReadOnlyList<TensorInfo> Inputs { get; }
    public IReadOnlyList<TensorInfo> Outputs { get; }

    /// <summary>The provider the session actually runs on (Auto resolves to Cpu or Cuda).</summary>
    public ExecutionProvider Provider { get; }

    /// <summary>Why Auto fell back to the CPU, when it did.</summary>
    public string? ProviderNote { get; }

    /// <summary>Where the one-time "auto fell back to the CPU" note goes (standard error by default).</summary>
    public static Action<string> NoteWriter { get; set; } = line => Console.Error.WriteLine(line);

    /// <summary>
    /// Loads an ONNX file. Throws <see cref="InputException"/> for a missing file or an unusable provider (naming the
    /// missing CUDA library), <see cref="OnnxRuntimeException"/> for a graph ONNX Runtime rejects.
    /// </summary>
    public static OnnxSession Open(string path, SessionSettings? settings = null)
    {
        settings ??= SessionSettings.Default;
        if (!File.Exists(path)) throw new InputException($"ONNX model file not found: {path}");
        path = Path.GetFullPath(path);
        _ = OnnxRuntime.Instance; // the quiet environment must exist before the first session
        if (settings.Provider == ExecutionProvider.Cpu) return OpenOn(path, settings, cuda: false, null);
        if (settings.Provider == ExecutionProvider.Cuda)
        {
            if (!OnnxRuntime.HasCuda) throw new InputException(CudaUnavailable(null));
            try { return OpenOn(path, settings, cuda: true, null); }
            catch (OnnxRuntimeException e) when (IsCudaFailure(e)) { throw new InputException(CudaUnavailable(ProbeCudaProvider() ?? e.Message), e); }
        }
        string note;
        if (!OnnxRuntime.HasCuda) note = "this build's ONNX Runtime has no CUDA provider (build with ./setup.sh --gpu)";
        else
        {
            try { return OpenOn(path, settings, cuda: true, null); }
            catch (OnnxRuntimeException e) when (IsCudaFailure(e))
            {
                var why = ProbeCudaProvider() ?? e.Message;
                note = MissingLibrary(why) is { } lib ? $"CUDA is not usable ({lib} was not found)" : $"CUDA is not usable: {FirstLine(why)}";
            }
        }
        if (OnnxRuntime.HasCuda && Interlocked.Exchange(ref _fallbackNoted, 1) == 0)
            NoteWriter($"rsgeo: --provider auto: {note}; running on the CPU");
        return OpenOn(path, settings, cuda: false, note);
    }

    private static OnnxSession OpenOn(string path, SessionSettings settings, bool cuda, string? note)
    {
        using var options = settings.CreateOptions();
        if (cuda) options.AppendExecutionProvider_CUDA(settings.CudaDeviceId);
        var session = new InferenceSession(path, options); // ORT's errors name the file ("Load model from PATH failed: ...")
        try { return new OnnxSession(session, path, cuda ? ExecutionProvider.Cuda : ExecutionProvider.Cpu, note); }
        catch { session.Dispose(); throw; }
    }

    /// <summary>Runs the graph on <paramref name="inputs"/> and returns the requested float outputs (all outputs when null).</summary>
    public OutputTensor[] Run(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string>? outputNames = null)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var wanted = outputNames ?? Outputs.Select(o => o.Name).ToArray();
        foreach (var n in wanted) IndexOf(Outputs, n, "output");
        foreach (var missing in Inputs.Where(i => inputs.All(t => t.Name != i.Name)))
            throw new ArgumentException($"{Path.GetFileName(ModelPath)}: input '{missing.Name}' ({missing}) was not given");

        var values = new List<OrtValue>(inputs.Count);
        try
        {
            foreach (var t in inputs)
            {
                var expected = Inputs[IndexOf(Inputs, t.Name, "input")];
                if (expected.ElementType != t.ElementType)
                    throw new ArgumentException($"{Path.GetFileName(ModelPath)}: input '{t.Name}' wants {expected.ElementType}, got {t.ElementType}");
                values.Add(t.ElementType == TensorElementType.Float
                    ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, t.Floats, t.Shape)
                    : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, t.Longs, t.Shape));
            }
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, inputs.Select(t => t.Name).ToArray(), values, wanted);
            var output = new OutputTensor[wanted.Count];
            for (var j = 0; j < wanted.Count; j++)
            {
                var info = results[j].GetTensorTypeAndShape();
                if (info.ElementDataType != TensorElementType.Float)
                    throw new NotSupportedException($"{Path.GetFileName(ModelPath)}: output '{wanted[j]}' is {info.ElementDataType}; only float outputs are read");
                output[j] = new OutputTensor(wanted[j], info.Shape, results[j].GetTensorDataAsSpan<float>().ToArray());
            }
            return output;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <summary>Ends profiling (enabled with <see cref="SessionSettings.ProfileFilePrefix"/>) and returns the JSON profile's path.</summary>
    public string EndProfiling()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return _session.EndProfiling();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _session.Dispose();
    }

    private static TensorInfo Info(string name, NodeMetadata m) =>
        m.IsTensor ? new TensorInfo(name, m.ElementDataType, m.Dimensions.Select(d => (long)d).ToArray())
                   : new TensorInfo(name, TensorElementType.DataTypeMax, [], IsTensor: false);

    private int IndexOf(IReadOnlyList<TensorInfo> list, string name, string what)
    {
        for (var i = 0; i < list.Count; i++) if (list[i].Name == name) return i;
        throw new ArgumentException($"{Path.GetFileName(ModelPath)} has no {what} '{name}'; its {what}s: {string.Join(", ", list.Select(t => t.ToString()))}");
    }

    private static bool IsCudaFailure(OnnxRuntimeException e) =>
        e.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("cudnn", StringComparison.OrdinalIgnoreCase)
        || MissingLibrary(e.Message) is not null;

    /// <summary>The shared library the dynamic loader could not find, e.g. "libcublasLt.so.13", when ORT's text names one.</summary>
    internal static string? MissingLibrary(string ortMessage) =>
        MissingLibraryPattern().Match(ortMessage) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>
    /// Loads the CUDA provider library the way ORT does, to learn which of its dependencies is missing: ORT's own text
    /// says only "Failed to load shared library", the dynamic loader's names the file. Null when it loads.
    /// </summary>
    private static string? ProbeCudaProvider()
    {
        var provider = Path.Combine(Path.GetDirectoryName(OnnxRuntime.LibraryPath) ?? AppContext.BaseDirectory, "libonnxruntime_providers_cuda.so");
        if (!File.Exists(provider)) return $"{Path.GetFileName(provider)}: cannot open shared object file (not in this build)";
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(provider));
            return null;
        }
        catch (DllNotFoundException e) { return e.Message; }
    }

    internal static string CudaUnavailable(string? ortMessage)
    {
        if (ortMessage is null)
            return $"execution provider 'cuda' was requested, but this build's ONNX Runtime {OnnxRuntime.Version} is the CPU package; " +
                   "rebuild with ./setup.sh --gpu (NVIDIA driver, CUDA 13, cuDNN 9; see the README's GPU section), or use --provider cpu or auto";
        var missing = MissingLibrary(ortMessage);
        return missing is not null
            ? $"execution provider 'cuda' cannot start: {missing} was not found; install the CUDA 13 runtime (cudart, cuBLAS) and cuDNN 9 " +
              "(or run in an nvidia/cuda:13 cudnn container) and put them on LD_LIBRARY_PATH, or use --provider cpu or auto"
            : $"execution provider 'cuda' cannot start: {FirstLine(ortMessage)}; check the NVIDIA driver (nvidia-smi), or use --provider cpu or auto";
    }

    private static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();

    [GeneratedRegex(@"(lib[A-Za-z0-9_+\-]+\.so(?:\.[0-9]+)*)\s*:\s*cannot open shared object file")]
    private static partial Regex MissingLibraryPattern();
}
