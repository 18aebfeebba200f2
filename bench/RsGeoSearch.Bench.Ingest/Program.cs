using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.Raster;
using RsGeoSearch.Store;
using RsGeoSearch.TestSupport;

// Ingest benchmark: the stages of an ingest measured separately and end to end, in one run, on the shared rasters
// cut fine enough to give thousands of chips (default: every shared raster folder, 64-pixel chips at stride 32, about
// 11,000 chips; the encoder always sees its own input size).
//   1. tiling: GDAL read + resample of every chip, one reader per core over the files (as the pipeline does);
//   2. encoder: the same chips' images, tiled into memory beforehand (up to --encode-max of them), encoded in batches;
//   3. COPY: every chip with an embedding written by CatalogStore.WriteChipsAsync into a fresh database with no HNSW
//      index, in the pipeline's write batches; then the HNSW build (+ ANALYZE) on its own;
//   4. end to end: IngestPipeline into another fresh database (HNSW index included).
// Pipeline overhead = encoder-only chips/s / end-to-end chips/s - 1 (goal: at most 10 %). On a shared, loaded machine
// wall-clock rates swing with the neighbours, so each stage also prints this process's CPU time per chip (user + system,
// all threads; the database server's own CPU is not in it), and the overhead in CPU terms: e2e CPU per chip / encoder
// CPU per chip - 1.
//
//   dotnet run -c Release --project bench/RsGeoSearch.Bench.Ingest -- [--model DIR] [--rasters rasters/a,rasters/b]
//        [--chip-size 64] [--stride 32] [--batch 32] [--encode-max 2000] [--readers N (the pipeline's; default one per core)]
// The encoder-only rate is measured twice, before the COPY stage and after the end-to-end run, and averaged, so that a
// change in the machine's load during the run weighs on both sides of the overhead alike.

var batchSize = IntArg("--batch", 32);
var chipSize = IntArg("--chip-size", 64);
var stride = IntArg("--stride", 32);
var encodeMax = IntArg("--encode-max", 2000);
var rasterArg = StringArg("--rasters");
var rasters = rasterArg is null
    ? Directory.GetDirectories(Path.Combine(SharedData.Resolve(), "rasters")).Order(StringComparer.Ordinal).ToArray()
    : rasterArg.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => Path.Combine(SharedData.Resolve(), r)).ToArray();
var modelDir = StringArg("--model") ?? TestModels.BundledOrTiny;
using var models = new ModelCache(new ModelRegistry([]), modelDir);
var model = models.Get(null);
var files = RasterFiles.Expand(rasters);
int? readers = args.Contains("--readers") ? IntArg("--readers", 1) : null;
var options = new IngestOptions { BatchSize = batchSize, ChipSize = chipSize, Stride = stride, Readers = readers };
Console.WriteLine($"ingest benchmark: model {model.Name} ({model.Preprocessing.Size} px, {model.Dimension}-d) from {modelDir}");
Console.WriteLine($"{files.Count} files from {rasters.Length} folders; {chipSize}-px chips at stride {stride}; batch {batchSize}; {Environment.ProcessorCount} cores, load average {LoadAverage()}");

// 1. Tiling, one reader per core over the files (the pipeline's reader stage).
var tiling = new TilerOptions
{
    ChipSize = chipSize, Stride = stride, Levels = [0], OutputSize = model.Preprocessing.Size, Resampling = Preprocessing.ResamplingFor(model),
    MaxNodataFraction = options.MaxNodataFraction, Edges = options.Edges,
}.Validated();
var tiled = new ConcurrentDictionary<string, List<Chip>>();
var images = new ConcurrentQueue<ChipImage>();
var clock = Stopwatch.StartNew();
var cpu = Cpu();
Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, file =>
{
    using var dataset = RasterDataset.Open(file);
    using var tiler = new Tiler(dataset, tiling);
    var list = new List<Chip>();
    foreach (var chip in tiler.Chips())
    {
        if (images.Count < encodeMax) images.Enqueue(chip.Image!);
        list.Add(chip with { Image = null });
    }
    tiled[file] = list;
});
var tileSeconds = clock.Elapsed.TotalSeconds;
var chipCount = tiled.Values.Sum(l => l.Count);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"1. tiling: {chipCount:N0} chips in {tileSeconds:F1} s = {chipCount / tileSeconds:F1} chips/s ({Environment.ProcessorCount} readers), CPU {(Cpu() - cpu) / chipCount:F2} ms/chip; load average {LoadAverage()}"));
if (chipCount < 5000) Console.WriteLine($"   note: fewer than 5,000 chips; pass more --rasters or a smaller --stride for a steady-state figure");

// 2. Encoder only.
var encoded = images.ToArray();
_ = model.EncodeImages(encoded.Take(batchSize).ToArray()); // warm-up
var vectors = new List<float[]>(encoded.Length);
var encoderCpu = new List<double>();
double EncoderOnly()
{
    vectors.Clear();
    clock.Restart();
    var c0 = Cpu();
    for (var i = 0; i < encoded.Length; i += batchSize)
        vectors.AddRange(model.EncodeImages(encoded.AsSpan(i, Math.Min(batchSize, encoded.Length - i)).ToArray()));
    var rate = encoded.Length / clock.Elapsed.TotalSeconds;
    encoderCpu.Add((Cpu() - c0) / encoded.Length);
    return rate;
}
var encoderBefore = EncoderOnly();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"2. encoder only: {encoded.Length:N0} chips, {encoderBefore:F1} chips/s, CPU {encoderCpu[^1]:F2} ms/chip; load average {LoadAverage()}"));
images.Clear();

// 3. COPY into a fresh database without an index, then the HNSW build.
await using (var db = await TestDatabase.StartAsync())
{
    var info = await db.Store.Models.RegisterAsync(model.Name, model.Dimension, model.Fingerprint);
    await db.Store.Models.DropVectorIndexAsync(info);
    var grid = new SceneGrid(chipSize, stride, [0]);
    var writeBatch = options.WriteBatchSize;
    var n = 0;
    clock.Restart();
    cpu = Cpu();
    foreach (var file in files)
    {
        using var dataset = RasterDataset.Open(file);
        var reg = await db.Store.Ingest.BeginSceneAsync(dataset.Describe(), info, grid);
        var chipsOfFile = tiled[file];
        for (var i = 0; i < chipsOfFile.Count; i += writeBatch)
        {
            var batch = chipsOfFile.Skip(i).Take(writeBatch).Select(c => new ChipEmbedding(c, vectors[n++ % vectors.Count])).ToList();
            await db.Store.Ingest.WriteChipsAsync(reg.SceneId, info, batch);
        }
        await db.Store.Ingest.CompleteSceneAsync(reg.SceneId, info, chipsOfFile.Count);
    }
    var copySeconds = clock.Elapsed.TotalSeconds;
    var copyCpu = (Cpu() - cpu) / n;
    clock.Restart();
    await db.Store.Models.FinishBulkLoadAsync(info);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"3. COPY: {n:N0} chips in {copySeconds:F1} s = {n / copySeconds:F1} chips/s, CPU {copyCpu:F2} ms/chip in this process (write batches of {writeBatch}; scene files hashed and described included); HNSW build + ANALYZE {clock.Elapsed.TotalSeconds:F1} s; load average {LoadAverage()}"));
}

// 4. End to end.
double e2eRate, e2eCpu;
await using (var db = await TestDatabase.StartAsync())
{
    cpu = Cpu();
    var report = await new IngestPipeline(db.Store, model, options).RunAsync(files);
    if (report.Failures.Any()) throw new InvalidOperationException(string.Join("; ", report.Failures.Select(f => f.Message)));
    if (report.ChipsWritten != chipCount) Console.WriteLine($"   note: the pipeline wrote {report.ChipsWritten} chips, the tiler gave {chipCount}");
    e2eRate = report.ChipsWritten / report.Elapsed.TotalSeconds;
    e2eCpu = (Cpu() - cpu) / report.ChipsWritten;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"4. end to end: {report.ChipsWritten:N0} chips in {report.Elapsed.TotalSeconds:F1} s = {e2eRate:F1} chips/s (HNSW index included), CPU {e2eCpu:F2} ms/chip; load average {LoadAverage()}"));
}
var encoderAfter = EncoderOnly();
var encoderRate = (encoderBefore + encoderAfter) / 2;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"5. encoder only again: {encoderAfter:F1} chips/s, CPU {encoderCpu[^1]:F2} ms/chip; mean of both {encoderRate:F1} chips/s; load average {LoadAverage()}"));
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"encoder only {encoderRate:F1} chips/s, end to end {e2eRate:F1} chips/s: pipeline overhead {encoderRate / e2eRate - 1:P1} (goal <= 10%); in CPU time of this process {e2eCpu / encoderCpu.Average() - 1:P1}; load average {LoadAverage()}"));
return 0;

static double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;

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
