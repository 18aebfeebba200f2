using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace RsGeoSearch.Inference.Onnx;

/// <summary>
/// Counts the multiply-add FLOPs (2 × MACs of MatMul, Gemm and Conv; element-wise work ignored) one run of a graph
/// performs, from the tensor shapes ONNX Runtime's profiler records for each node (so dynamic shapes are resolved).
/// The graph runs once, unoptimised, on the given inputs.
/// </summary>
public static class GraphFlops
{
    public static double Count(string onnxPath, IReadOnlyList<InputTensor> inputs)
    {
        var prefix = Path.Combine(Path.GetTempPath(), $"rsgeo-flops-{Environment.ProcessId}-{Guid.NewGuid():N}");
        string profile;
        using (var session = OnnxSession.Open(onnxPath, new SessionSettings { Optimization = GraphOptimizationLevel.ORT_DISABLE_ALL, ProfileFilePrefix = prefix, IntraOpThreads = 1 }))
        {
            session.Run(inputs);
            profile = session.EndProfiling();
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(profile));
            var events = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement : doc.RootElement.GetProperty("traceEvents");
            double macs = 0;
            foreach (var e in events.EnumerateArray())
            {
                if (!e.TryGetProperty("cat", out var cat) || cat.GetString() != "Node") continue;
                if (!e.TryGetProperty("name", out var name) || name.GetString()?.EndsWith("_kernel_time", StringComparison.Ordinal) != true) continue;
                var args = e.GetProperty("args");
                var op = args.GetProperty("op_name").GetString();
                if (op is not ("MatMul" or "Gemm" or "Conv" or "FusedMatMul" or "FusedGemm" or "FusedConv")) continue;
                var ins = Shapes(args.GetProperty("input_type_shape"));
                var outs = Shapes(args.GetProperty("output_type_shape"));
                // The profiler lists the shapes of non-constant inputs (a MatMul's weights may be missing): K comes from A.
                if (ins.Count < 1 || outs.Count < 1) continue;
                var outCount = outs[0].Aggregate(1.0, (a, d) => a * d);
                if (op.Contains("Conv", StringComparison.Ordinal))
                {
                    if (ins.Count < 2) continue;
                    macs += outCount * ins[1].Skip(1).Aggregate(1.0, (a, d) => a * d);
                }
                else macs += outCount * ins[0][^1];
            }
            return 2 * macs;
        }
        finally { File.Delete(profile); }
    }

    private static List<long[]> Shapes(JsonElement list) =>
        list.EnumerateArray().Select(o => o.EnumerateObject().First().Value.EnumerateArray().Select(d => d.GetInt64()).ToArray()).ToList();
}
