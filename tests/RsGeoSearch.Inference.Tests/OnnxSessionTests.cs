using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RsGeoSearch.Core;
using RsGeoSearch.Inference.Onnx;

namespace RsGeoSearch.Inference.Tests;

public class OnnxSessionTests
{
    private static TinyClipFixture Tiny => TinyClipFixture.Instance;

    [Test]
    public void Runs_on_the_official_onnx_runtime_1_31_cpu_package()
    {
        Assert.That(OnnxRuntime.Version, Is.EqualTo("1.31.1"));
        Assert.That(OnnxRuntime.AvailableProviders, Does.Contain("CPUExecutionProvider"));
        Assert.That(OnnxRuntime.HasCuda, Is.False, "the default build carries the CPU package only");
        using var s = OnnxSession.Open(Tiny.ImageOnnx);
        // The library the process loaded is the package's, copied next to the test assembly (one platform: linux-x64).
        Assert.That(OnnxRuntime.LibraryPath, Is.EqualTo(Path.Combine(AppContext.BaseDirectory, "libonnxruntime.so")));
        Assert.That(Directory.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes")), Is.False, "no other platforms' native files");
        Assert.That(File.Exists(Path.Combine(AppContext.BaseDirectory, "onnxruntime.dll")), Is.False);
    }

    [Test]
    public void Reports_input_and_output_names_types_and_shapes()
    {
        using var image = OnnxSession.Open(Tiny.ImageOnnx);
        Assert.That(image.Inputs.Select(i => i.ToString()), Is.EqualTo(new[] { "pixel_values: float[?, 3, 64, 64]" }));
        Assert.That(image.Outputs, Has.Count.EqualTo(1));
        Assert.That(image.Outputs[0].Name, Is.EqualTo("image_embeds"));
        Assert.That(image.Outputs[0].ElementType, Is.EqualTo(TensorElementType.Float));
        Assert.That(image.Outputs[0].Shape, Is.EqualTo(new long[] { -1, 16 }));

        using var text = OnnxSession.Open(Tiny.TextOnnx, new SessionSettings { IntraOpThreads = 1, Optimization = GraphOptimizationLevel.ORT_ENABLE_BASIC });
        Assert.That(text.Inputs.Select(i => (i.Name, i.ElementType)),
            Is.EqualTo(new[] { ("input_ids", TensorElementType.Int64), ("attention_mask", TensorElementType.Int64) }));
        Assert.That(text.Inputs[0].Shape, Is.EqualTo(new long[] { -1, 77 }));
        Assert.That(text.Provider, Is.EqualTo(ExecutionProvider.Cpu));
    }

    [Test]
    public void Runs_a_float_batch_and_returns_the_output_shape()
    {
        using var s = OnnxSession.Open(Tiny.ImageOnnx);
        var outputs = s.Run([InputTensor.Float("pixel_values", Tiny.Pixels, 4, 3, 64, 64)]);
        Assert.That(outputs, Has.Length.EqualTo(1));
        Assert.That(outputs[0].Shape, Is.EqualTo(new long[] { 4, 16 }));
        Assert.That(outputs[0].Data.All(float.IsFinite), Is.True);
        Assert.That(outputs[0].Data.Any(v => v != 0), Is.True);
    }

    [Test]
    public void Ort_errors_carry_ort_message()
    {
        using var s = OnnxSession.Open(Tiny.ImageOnnx);
        // Wrong spatial size: ORT rejects it with its own message naming the input and dimension.
        var e = Assert.Throws<OnnxRuntimeException>(() => s.Run([InputTensor.Float("pixel_values", new float[3 * 32 * 32], 1, 3, 32, 32)]));
        Assert.That(e!.Message, Does.Contain("pixel_values").And.Contain("InvalidArgument"));
    }

    [Test]
    public void A_corrupt_onnx_file_gives_ort_message_and_the_file_name()
    {
        var dir = TestEnvironment.NewTempDirectory("rsgeo-corrupt");
        try
        {
            var path = Path.Combine(dir, "broken.onnx");
            File.WriteAllBytes(path, "this is not a protobuf"u8.ToArray());
            var e = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(path));
            Assert.That(e!.Message, Does.Contain("broken.onnx"));
            Assert.That(e.Message.Length, Is.GreaterThan(path.Length + 10), "ORT's own explanation follows the path");
            Assert.Throws<InputException>(() => OnnxSession.Open(Path.Combine(dir, "missing.onnx")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void Unknown_input_name_is_rejected_with_the_graph_inputs_listed()
    {
        using var s = OnnxSession.Open(Tiny.ImageOnnx);
        var e = Assert.Throws<ArgumentException>(() => s.Run([InputTensor.Float("pixels", new float[3 * 64 * 64], 1, 3, 64, 64)]));
        Assert.That(e!.Message, Does.Contain("pixel_values"));
        Assert.Throws<ArgumentException>(() => InputTensor.Float("x", new float[10], 1, 3, 64, 64));
    }

    [Test]
    public void Cuda_on_the_cpu_package_gives_a_clear_message_and_auto_falls_back_to_cpu()
    {
        var e = Assert.Throws<InputException>(() => OnnxSession.Open(Tiny.ImageOnnx, new SessionSettings { Provider = ExecutionProvider.Cuda }));
        Assert.That(e!.Message, Does.Contain("'cuda'").And.Contain("./setup.sh --gpu").And.Contain("--provider cpu"));

        using var auto = OnnxSession.Open(Tiny.ImageOnnx, new SessionSettings { Provider = ExecutionProvider.Auto });
        Assert.That(auto.Provider, Is.EqualTo(ExecutionProvider.Cpu));
        Assert.That(auto.ProviderNote, Is.Not.Null.And.Contains("CUDA"));
        var outputs = auto.Run([InputTensor.Float("pixel_values", Tiny.Pixels.AsMemory(0, 3 * 64 * 64), 1, 3, 64, 64)]);
        Assert.That(outputs[0].Shape, Is.EqualTo(new long[] { 1, 16 }));
    }

    [Test]
    public void Provider_names_parse()
    {
        Assert.That(SessionSettings.ParseProvider("AUTO"), Is.EqualTo(ExecutionProvider.Auto));
        Assert.That(SessionSettings.ParseProvider("cpu"), Is.EqualTo(ExecutionProvider.Cpu));
        Assert.That(SessionSettings.ParseProvider("cuda"), Is.EqualTo(ExecutionProvider.Cuda));
        Assert.Throws<InputException>(() => SessionSettings.ParseProvider("tpu"));
    }

    [Test]
    public void A_thousand_session_create_dispose_cycles_do_not_grow_native_memory()
    {
        void Cycle(int n)
        {
            var input = new float[3 * 64 * 64];
            for (var i = 0; i < n; i++)
            {
                using var s = OnnxSession.Open(Tiny.ImageOnnx, new SessionSettings { IntraOpThreads = 1 });
                var o = s.Run([InputTensor.Float("pixel_values", input, 1, 3, 64, 64)]);
                if (o[0].Data.Length != 16) Assert.Fail("bad output");
            }
        }
        Cycle(100); // warm-up: allocator arenas, thread pools, JIT
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = TestEnvironment.ResidentBytes();
        Cycle(1000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var growth = TestEnvironment.ResidentBytes() - before;
        TestContext.Out.WriteLine($"RSS growth over 1000 cycles: {growth / 1024.0 / 1024.0:F1} MiB");
        // A leaked session of this graph costs about 1 MiB (measured: 200 undisposed sessions add ~210 MiB), so a leak would add ~1 GiB.
        Assert.That(growth, Is.LessThan(40L * 1024 * 1024));
    }

    [Test]
    public void A_missing_cuda_library_is_named_with_what_to_install()
    {
        // ORT's text when the CUDA provider's dependencies are absent (as printed by the .Gpu.Linux package on a CPU machine).
        const string ort = "[ErrorCode:RuntimeException] /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1862 " +
            "onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library " +
            "libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory";
        Assert.That(OnnxSession.MissingLibrary(ort), Is.EqualTo("libcublasLt.so.13"));
        var line = OnnxSession.CudaUnavailable(ort);
        Assert.That(line, Does.Contain("libcublasLt.so.13").And.Contain("CUDA 13").And.Contain("cuDNN 9").And.Contain("--provider cpu"));
        Assert.That(line, Does.Not.Contain("\n"));
        Assert.That(OnnxSession.MissingLibrary("Protobuf parsing failed"), Is.Null);
    }

    [Test]
    public void Counts_graph_flops_from_the_profiler()
    {
        // Tiny image tower, batch 1: patch conv 8x8x32 outputs x 192 + 2 blocks (T=65, d=32, 4 heads) + projection.
        const long conv = 8 * 8 * 32 * 3 * 8 * 8;
        const long block = 65 * 96 * 32 + 2 * 4 * 65 * 65 * 8 + 65 * 32 * 32 + 2 * 65 * 128 * 32;
        const long expected = 2 * (conv + 2 * block + 32 * 16);
        var flops = GraphFlops.Count(Tiny.ImageOnnx, [InputTensor.Float("pixel_values", new float[3 * 64 * 64], 1, 3, 64, 64)]);
        Assert.That(flops, Is.EqualTo((double)expected).Within(0.5).Percent);
    }
}
