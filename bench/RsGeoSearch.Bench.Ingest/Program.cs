using System.Diagnostics;
using System.Globalization;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.Raster;
using RsGeoSearch.TestSupport;

// Ingest benchmark (issue 6): end-to-end ingest chips/s on the shared rasters (GDAL tiler → ONNX encoder → binary
// COPY into a fresh embedded database, HNSW index included) next to encoder-only chips/s (the same chips' images,
// tiled into memory beforehand, encoded in batches of the same size in a loop), in the same run, and the pipeline
// overhead = end-to-end time / encoder-only time - 1 (goal: at most 10%). Also tiling-only chips/s, for the breakdown.
//
//   dotnet run -c Release --project bench/RsGeoSearch.Bench.Ingest -- [--model DIR] [--rounds 2]
//        [--rasters rasters/naip-north-dakota,rasters/sentinel2-ireland] [--batch 32]
// Rounds alternate encoder-only and end-to-end runs (each end-to-end run in a fresh database) to even out load drift.

var rounds = IntArg("--rounds", 2);
var batchSize = IntArg("--batch", 32);
var rasters = (StringArg("--rasters") ?? "rasters/naip-north-dakota,rasters/sentinel2-ireland").Split(',', StringSplitOptions.RemoveEmptyEntries);
var modelDir = StringArg("--model") ?? TestModels.BundledOrTiny;
using var models = new ModelCache(new ModelRegistry([]), modelDir);
var model = models.Get(null);
var files = RasterFiles.Expand(rasters.Select(r => Path.Combine(SharedData.Resolve(), r)));
Console.WriteLine($"ingest benchmark: model {model.Name} ({model.Preprocessing.Size} px, {model.Dimension}-d) from {modelDir}");
Console.WriteLine($"{files.Count} files from {string.Join(", ", rasters)}; batch {batchSize}; {Environment.ProcessorCount} cores, load average {LoadAverage()}");

// The chips the pipeline will embed, tiled exactly as IngestPipeline does (default options), kept in memory.
var tiling = new TilerOptions
{
    ChipSize = 256, Levels = [0], OutputSize = model.Preprocessing.Size, Resampling = Preprocessing.ResamplingFor(model),
    MaxNodataFraction = 0.5, Edges = EdgeMode.Pad,
}.Validated();
var tileClock = Stopwatch.StartNew();
var images = new List<ChipImage>();
foreach (var file in files)
{
    using var dataset = RasterDataset.Open(file);
    using var tiler = new Tiler(dataset, tiling);
    images.AddRange(tiler.Chips().Select(c => c.Image!));
}
var tileRate = images.Count / tileClock.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"tiling only (GDAL read + resample, one thread): {images.Count} chips, {tileRate:F1} chips/s"));
_ = model.EncodeImages(images.Take(batchSize).ToArray()); // warm-up

var encoderRates = new List<double>();
var e2eRates = new List<double>();
for (var round = 1; round <= rounds; round++)
{
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < images.Count; i += batchSize)
        _ = model.EncodeImages(images.Skip(i).Take(batchSize).ToArray());
    encoderRates.Add(images.Count / clock.Elapsed.TotalSeconds);

    await using var db = await TestDatabase.StartAsync();
    var report = await new IngestPipeline(db.Store, model, new IngestOptions { BatchSize = batchSize }).RunAsync(files);
    if (report.Failures.Any()) throw new InvalidOperationException(string.Join("; ", report.Failures.Select(f => f.Message)));
    if (report.ChipsWritten != images.Count) Console.WriteLine($"  note: the pipeline wrote {report.ChipsWritten} chips, the tiler gave {images.Count}");
    e2eRates.Add(report.ChipsWritten / report.Elapsed.TotalSeconds);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {round}: encoder only {encoderRates[^1]:F1} chips/s; end to end {e2eRates[^1]:F1} chips/s ({report.ChipsWritten} chips in {report.Elapsed.TotalSeconds:F1} s); overhead {encoderRates[^1] / e2eRates[^1] - 1:P1}"));
}
var enc = encoderRates.Average();
var e2e = e2eRates.Average();
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"encoder only {enc:F1} chips/s, end to end {e2e:F1} chips/s: pipeline overhead {enc / e2e - 1:P1} (goal <= 10%); tiling only {tileRate:F1} chips/s; load average {LoadAverage()}"));
return 0;

static string LoadAverage()
{
    try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
    catch (IOException) { return "?"; }
}

int IntArg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

string? StringArg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
