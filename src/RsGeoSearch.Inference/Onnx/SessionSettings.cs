using Microsoft.ML.OnnxRuntime;
using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Onnx;

/// <summary>
/// How to create sessions. Threads: 0 = ONNX Runtime's default (one per physical core).
/// <see cref="Provider"/>: cpu | cuda | auto.
/// </summary>
public sealed record SessionSettings
{
    public static readonly SessionSettings Default = new();

    public int IntraOpThreads { get; init; }
    public int InterOpThreads { get; init; }
    public GraphOptimizationLevel Optimization { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;
    public int CudaDeviceId { get; init; }

    /// <summary>
    /// Whether ONNX Runtime's intra-op threads spin while waiting for work (its default). Off here: spinning threads
    /// take the cores from the ingest's raster readers (12,005 chips, 2 cores, quiet, two runs each: end to end
    /// 530–533 → 562–572 chips/s, the encoder alone unchanged at 594–641 chips/s).
    /// </summary>
    public bool AllowSpinning { get; init; }

    /// <summary>When set, ONNX Runtime profiles every node run into a JSON file starting with this path (see <see cref="OnnxSession.EndProfiling"/>).</summary>
    public string? ProfileFilePrefix { get; init; }

    /// <summary>Parses "cpu", "cuda" or "auto" (case-insensitive).</summary>
    public static ExecutionProvider ParseProvider(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cpu" => ExecutionProvider.Cpu,
        "cuda" or "gpu" => ExecutionProvider.Cuda,
        "auto" => ExecutionProvider.Auto,
        _ => throw new InputException($"execution provider '{text}' is not one of cpu, cuda, auto"),
    };

    internal SessionOptions CreateOptions()
    {
        var o = new SessionOptions { GraphOptimizationLevel = Optimization, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        try
        {
            if (IntraOpThreads > 0) o.IntraOpNumThreads = IntraOpThreads;
            if (InterOpThreads > 0) o.InterOpNumThreads = InterOpThreads;
            o.AddSessionConfigEntry("session.intra_op.allow_spinning", AllowSpinning ? "1" : "0");
            if (ProfileFilePrefix is not null)
            {
                o.EnableProfiling = true;
                o.ProfileOutputPathPrefix = ProfileFilePrefix;
            }
            return o;
        }
        catch { o.Dispose(); throw; }
    }
}
