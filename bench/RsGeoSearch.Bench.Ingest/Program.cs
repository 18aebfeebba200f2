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
// Pipeline overhead = encoder-only chips/s / end-to-end chips/s - 1 (goal: at most 10 %).
//
//   dotnet run -c Release --project bench/RsGeoSearch.Bench.Ingest -- [--model DIR] [--rasters rasters/a,rasters/b]
//        [--chip-size 64] [--stride 32] [--batch 32] [--encode-max 3000]

var batchSize = IntArg("--batch", 32);
var chipSize = IntArg("--chip-size", 64);
var stride = IntArg("--stride", 32);
var encodeMax = IntArg("--encode-max", 3000);
var rasterArg = StringArg("--rasters");
var rasters = rasterArg is null
    ? Directory.GetDirectories(Path.Combine(SharedData.Resolve(), "rasters")).Order(StringComparer.Ordinal).ToArray()
    : rasterArg.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => Path.Combine(SharedData.Resolve(), r)).ToArray();
var modelDir = StringArg("--model") ?? TestModels.BundledOrTiny;
using var models = new ModelCache(new ModelRegistry([]), modelDir);
var model = models.Get(null);
var files = RasterFiles.Expand(rasters);
var options = new IngestOptions { BatchSize = batchSize, ChipSize = chipSize, Stride = stride };
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
    $"1. tiling: {chipCount:N0} chips in {tileSeconds:F1} s = {chipCount / tileSeconds:F1} chips/s ({Environment.ProcessorCount} readers); load average {LoadAverage()}"));
if (chipCount < 5000) Console.WriteLine($"   note: fewer than 5,000 chips; pass more --rasters or a smaller --stride for a steady-state figure");

// 2. Encoder only.
var encoded = images.ToArray();
_ = model.EncodeImages(encoded.Take(batchSize).ToArray()); // warm-up
var vectors = new List<float[]>(encoded.Length);
clock.Restart();
for (var i = 0; i < encoded.Length; i += batchSize)
    vectors.AddRange(model.EncodeImages(encoded.AsSpan(i, Math.Min(batchSize, encoded.Length - i)).ToArray()));
var encoderRate = encoded.Length / clock.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"2. encoder only: {encoded.Length:N0} chips, {encoderRate:F1} chips/s; load average {LoadAverage()}"));
images.Clear();
encoded = [];

// 3. COPY into a fresh database without an index, then the HNSW build.
await using (var db = await TestDatabase.StartAsync())
{
    var info = await db.Store.RegisterModelAsync(model.Name, model.Dimension, model.Fingerprint);
    await db.Store.DropVectorIndexAsync(info);
    var grid = new SceneGrid(chipSize, stride, [0]);
    var writeBatch = options.WriteBatchSize;
    var n = 0;
    clock.Restart();
    foreach (var file in files)
    {
        using var dataset = RasterDataset.Open(file);
        var reg = await db.Store.BeginSceneAsync(dataset.Describe(), info, grid);
        var chipsOfFile = tiled[file];
        for (var i = 0; i < chipsOfFile.Count; i += writeBatch)
        {
            var batch = chipsOfFile.Skip(i).Take(writeBatch).Select(c => new ChipEmbedding(c, vectors[n++ % vectors.Count])).ToList();
            await db.Store.WriteChipsAsync(reg.SceneId, info, batch);
        }
        await db.Store.CompleteSceneAsync(reg.SceneId, info, chipsOfFile.Count);
    }
    var copySeconds = clock.Elapsed.TotalSeconds;
    clock.Restart();
    await db.Store.FinishBulkLoadAsync(info);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"3. COPY: {n:N0} chips in {copySeconds:F1} s = {n / copySeconds:F1} chips/s (write batches of {writeBatch}; scene files hashed and described included); HNSW build + ANALYZE {clock.Elapsed.TotalSeconds:F1} s; load average {LoadAverage()}"));
}

// 4. End to end.
double e2eRate;
await using (var db = await TestDatabase.StartAsync())
{
    var report = await new IngestPipeline(db.Store, model, options).RunAsync(files);
    if (report.Failures.Any()) throw new InvalidOperationException(string.Join("; ", report.Failures.Select(f => f.Message)));
    if (report.ChipsWritten != chipCount) Console.WriteLine($"   note: the pipeline wrote {report.ChipsWritten} chips, the tiler gave {chipCount}");
    e2eRate = report.ChipsWritten / report.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"4. end to end: {report.ChipsWritten:N0} chips in {report.Elapsed.TotalSeconds:F1} s = {e2eRate:F1} chips/s (HNSW index included); load average {LoadAverage()}"));
}
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"encoder only {encoderRate:F1} chips/s, end to end {e2eRate:F1} chips/s: pipeline overhead {encoderRate / e2eRate - 1:P1} (goal <= 10%); load average {LoadAverage()}"));
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
