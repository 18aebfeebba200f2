using System.Diagnostics;
using System.Globalization;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Inference.Onnx;

// Inference throughput: images/s at batch 1, 8, 32 and 128, text queries/s, GFLOPs per image (counted from ONNX Runtime's
// per-node shapes) and the achieved GFLOP/s as a fraction of a peak: the CPU's estimated fp32 peak, or with
// --provider cuda the GPU's dense fp16/bf16 peak given by --peak-tflops (e.g. 989 for an H100/H200 SXM): MFU.
// Usage: dotnet run -c Release --project bench/RsGeoSearch.Bench.Inference -- [--model NAME|DIR]...
//        [--preset vit-b32|siglip-l16-256|tiny]... [--seconds 3] [--threads 0] [--provider cpu|cuda|auto] [--peak-tflops T]
//        [--batches 1,8,32,128]
// With no --model/--preset: a random-weight CLIP ViT-B/32 (exported by python/make_clip.py, ~30 s) and rsgeo-mini if exported.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var models = new List<string>();
var presets = new List<string>();
var seconds = 3.0;
var threads = 0;
var provider = ExecutionProvider.Cpu;
double? peakTflops = null;
int[] batches = [1, 8, 32, 128];
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model": models.Add(args[++i]); break;
        case "--preset": presets.Add(args[++i]); break;
        case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--provider": provider = SessionSettings.ParseProvider(args[++i]); break;
        case "--peak-tflops": peakTflops = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--batches": batches = args[++i].Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray(); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}
var registry = ModelRegistry.Default();
if (models.Count == 0 && presets.Count == 0)
{
    presets.Add("vit-b32");
    if (registry.List().Any(e => e.Name == ModelRegistry.DefaultModel && e.Status == RsGeoSearch.Inference.Models.ModelStatus.Ready)) models.Add(ModelRegistry.DefaultModel);
}

var temp = new List<string>();
foreach (var preset in presets)
{
    var dir = Path.Combine(Path.GetTempPath(), $"rsgeo-bench-{preset}-{Environment.ProcessId}");
    Directory.CreateDirectory(dir);
    temp.Add(dir);
    Console.Error.WriteLine($"exporting a random-weight {preset} with /usr/bin/python3 ...");
    var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, UseShellExecute = false };
    foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "python", "make_clip.py"), "--preset", preset, "--out", dir,
                 "--bpe", SharedData.Path("tokenizers", "clip-bpe", "bpe_simple_vocab_16e6.txt.gz") }) psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    var err = p.StandardError.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) { Console.Error.WriteLine(err); return 1; }
    models.Add(dir);
}

var cpuPeak = EstimatePeakGflops(out var cpuNote);
var peak = peakTflops is { } t ? t * 1000 : cpuPeak;
var peakNote = peakTflops is null ? $"estimated CPU fp32 peak ({cpuNote})" : "given GPU dense fp16/bf16 peak";
Console.WriteLine($"ONNX Runtime {OnnxRuntime.Version} ({OnnxRuntime.LibraryPath}); provider {provider.ToString().ToLowerInvariant()}; " +
                  $"{Environment.ProcessorCount} logical CPUs; peak {peak:F0} GFLOP/s, {peakNote}; intra-op threads {(threads == 0 ? "default" : threads)}");
Console.WriteLine();
Console.WriteLine($"{"model",-22} {"GFLOPs/img",10} " + string.Concat(batches.Select(b => $"{"img/s b" + b,11} ")) +
                  $"{"GFLOP/s",8} {"% peak",7} {"GFLOPs/q",9} {"queries/s",10} {"q/s b32",8}");
try
{
    foreach (var m in models)
    {
        using var model = registry.Load(m, new SessionSettings { IntraOpThreads = threads, Provider = provider });
        var size = model.Preprocessing.Size;
        var rng = new Random(1);
        var chips = Enumerable.Range(0, batches.Max()).Select(_ =>
        {
            var px = new float[3 * size * size];
            for (var k = 0; k < px.Length; k++) px[k] = (float)rng.NextDouble();
            return new ChipImage(px, size, size);
        }).ToArray();
        var imageFlops = GraphFlops.Count(Path.Combine(model.Directory, model.Manifest.Image.Onnx),
            [InputTensor.Float(model.Manifest.Image.Input, chips[0].Chw, 1, 3, size, size)]);
        var encoded = model.Tokenizer.Encode("a satellite photo of flooded farmland next to a river.");
        var textInputs = new List<InputTensor> { InputTensor.Int64(model.Manifest.Text.InputIds, encoded.Ids, 1, encoded.Ids.Length) };
        if (model.Texts.HasMask) textInputs.Add(InputTensor.Int64(model.Manifest.Text.AttentionMask!, encoded.AttentionMask, 1, encoded.Ids.Length));
        var textFlops = GraphFlops.Count(Path.Combine(model.Directory, model.Manifest.Text.Onnx), textInputs);

        double ImagesPerSecond(int batch)
        {
            model.Images.MaxBatchSize = batch;
            var input = chips.Take(batch).ToArray();
            model.EncodeImages(input); // warm-up
            var n = 0;
            var sw = Stopwatch.StartNew();
            do { model.EncodeImages(input); n += batch; } while (sw.Elapsed.TotalSeconds < seconds);
            return n / sw.Elapsed.TotalSeconds;
        }

        var queries = Enumerable.Range(0, 32).Select(i => $"a satellite photo of area {i} with fields, roads and a river.").ToArray();
        double QueriesPerSecond(int batch)
        {
            var input = queries.Take(batch).ToArray();
            model.EncodeTexts(input);
            var n = 0;
            var sw = Stopwatch.StartNew();
            do { model.EncodeTexts(input); n += batch; } while (sw.Elapsed.TotalSeconds < seconds);
            return n / sw.Elapsed.TotalSeconds;
        }

        var rates = batches.Select(ImagesPerSecond).ToArray();
        var q1 = QueriesPerSecond(1);
        var q32 = QueriesPerSecond(32);
        var achieved = rates.Max() * imageFlops / 1e9;
        Console.WriteLine($"{model.Name,-22} {imageFlops / 1e9,10:F3} " + string.Concat(rates.Select(r => $"{r,11:F1} ")) +
                          $"{achieved,8:F1} {100 * achieved / peak,6:F1}% {textFlops / 1e9,9:F3} {q1,10:F1} {q32,8:F1}");
    }
}
finally
{
    foreach (var d in temp) Directory.Delete(d, true);
}
return 0;

static double EstimatePeakGflops(out string note)
{
    double mhz = 0;
    var flags = "";
    try
    {
        foreach (var line in File.ReadLines("/proc/cpuinfo"))
        {
            if (mhz == 0 && line.StartsWith("cpu MHz", StringComparison.Ordinal)) mhz = double.Parse(line.Split(':')[1], CultureInfo.InvariantCulture);
            if (flags.Length == 0 && line.StartsWith("flags", StringComparison.Ordinal)) flags = line;
        }
    }
    catch (IOException) { }
    if (mhz == 0) mhz = 2500;
    var words = flags.Split(' ');
    var perCycle = words.Contains("avx512f") ? 64 : words.Contains("avx2") && words.Contains("fma") ? 32 : 16;
    note = $"{Environment.ProcessorCount} x {mhz / 1000:F2} GHz x {perCycle} FLOP/cycle{(perCycle == 64 ? " (AVX-512 FMA)" : perCycle == 32 ? " (AVX2 FMA)" : "")}";
    return Environment.ProcessorCount * mhz / 1000 * perCycle;
}
