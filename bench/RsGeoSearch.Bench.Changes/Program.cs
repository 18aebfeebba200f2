using System.Globalization;
using NetTopologySuite.Geometries;
using RsGeoSearch.Bench.Changes;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Changes;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.Raster;
using RsGeoSearch.Store;

// Change-detection evaluation.
//  1. LEVIR-CD samples (georeferenced from the coordinates file), tiled at 64 px, A ingested as 2012, B as 2018:
//     ROC AUC of the change score (1 - cosine) against "building-change mask covers > 5% of the chip", next to a
//     pixel baseline (mean absolute RGB difference of the two chips) measured in the same run.
//  2. NAIP North Dakota (10 dates) and Landsat Pucallpa (8 dates) at 64 px: the top changes between successive
//     dates (normalised by each place's typical change) drawn as before | after | score into a PNG.
//
//   dotnet run -c Release --project bench/RsGeoSearch.Bench.Changes -- [--model rsgeo-mini|DIR] [--out DIR]
//        [--database URL | --data-dir DIR] [--top N]
// Without --database/--data-dir it uses a temporary embedded cluster and deletes it at the end.

var modelArg = StringArg("--model") ?? "rsgeo-mini";
var outDir = StringArg("--out") ?? Path.Combine(Path.GetTempPath(), "rsgeo-bench-changes");
var database = StringArg("--database");
var dataDir = StringArg("--data-dir");
var top = int.Parse(StringArg("--top") ?? "8", CultureInfo.InvariantCulture);
var temporary = database is null && dataDir is null;
if (temporary) dataDir = Directory.CreateTempSubdirectory("rsgeo-bench-changes-db-").FullName;
Directory.CreateDirectory(outDir);
const int ChipSize = 64;

var target = DatabaseTarget.Resolve(database, dataDir, progress: new Progress<string>(m => Console.Error.WriteLine($"  db: {m}")));
try
{
    await using var store = await target.OpenStoreAsync();
    using var models = new ModelCache(ModelRegistry.Default());
    var model = models.Get(modelArg);
    var detector = new ChangeDetector(store);
    Console.WriteLine($"change benchmark: model {model.Name} ({model.Dimension}-d), chips {ChipSize} px, on {target.Describe()}");

    // ---- 1. LEVIR-CD ----------------------------------------------------------------------------
    var samples = LevirCd.Georeference(Path.Combine(outDir, "levir"));
    await Ingest(store, model, samples.Select(s => s.Before).ToList(), new DateTimeOffset(2012, 1, 1, 0, 0, 0, TimeSpan.Zero));
    await Ingest(store, model, samples.Select(s => s.After).ToList(), new DateTimeOffset(2018, 1, 1, 0, 0, 0, TimeSpan.Zero));
    var box = new BoundingBox(samples.Min(s => s.Box.MinX), samples.Min(s => s.Box.MinY), samples.Max(s => s.Box.MaxX), samples.Max(s => s.Box.MaxY));
    var levir = await detector.DetectAsync(new ChangeQuery(box, TimeRange.Create(new DateTimeOffset(2011, 1, 1, 0, 0, 0, TimeSpan.Zero), null), Limit: ChangeQuery.MaxLimit), model);
    var bySample = samples.ToDictionary(s => s.After, StringComparer.Ordinal);
    var masks = samples.ToDictionary(s => s.After, s => LevirCd.MaskFractions(s.Label, ChipSize), StringComparer.Ordinal);
    var rows = new List<(double Change, double Pixel, double Mask)>();
    foreach (var c in levir.Items)
    {
        if (!bySample.ContainsKey(c.After.SceneUri) || c.Before.SceneUri != bySample[c.After.SceneUri].Before) continue;
        rows.Add((c.Change, PixelDifference(c.Before, c.After), masks[c.After.SceneUri][(c.After.Col, c.After.Row)]));
    }
    var positives = rows.Count(r => r.Mask > 0.05);
    Console.WriteLine($"LEVIR-CD: {samples.Count} pairs, {rows.Count} chip pairs of {ChipSize} px, {positives} with mask change > 5%, {rows.Count(r => r.Mask == 0)} with none");
    var auc = RocAuc.Compute(rows.Select(r => (r.Change, r.Mask > 0.05)).ToList());
    var pixelAuc = RocAuc.Compute(rows.Select(r => (r.Pixel, r.Mask > 0.05)).ToList());
    Console.WriteLine($"  ROC AUC, change score (1 - cosine, {model.Name}):  {auc:F3}");
    Console.WriteLine($"  ROC AUC, pixel baseline (mean |RGB difference|): {pixelAuc:F3}");
    foreach (var (lo, hi) in new[] { (0.0, 0.0), (1e-9, 0.05), (0.05, 0.2), (0.2, 1.0) })
    {
        var bin = rows.Where(r => r.Mask >= lo && r.Mask <= hi).ToList();
        if (bin.Count > 0) Console.WriteLine($"  mask change {lo:P0}-{hi:P0}: {bin.Count,3} chips, mean change score {bin.Average(r => r.Change):F4}");
    }

    // ---- 2. NAIP and Landsat series -------------------------------------------------------------
    foreach (var (name, folder) in new[] { ("naip", "naip-north-dakota"), ("landsat", "landsat-pucallpa") })
    {
        var files = Directory.EnumerateFiles(SharedData.Path("rasters", folder), "*.tif").Order(StringComparer.Ordinal).ToList();
        await Ingest(store, model, files, null);
        Envelope env;
        using (var first = RasterDataset.Open(files[0])) env = first.Describe().Footprint!.EnvelopeInternal;
        var result = await detector.DetectAsync(new ChangeQuery(new BoundingBox(env.MinX, env.MinY, env.MaxX, env.MaxY),
            Limit: top, Normalise: true, Pairing: ChangePairing.Consecutive), model);
        var path = Path.Combine(outDir, $"top-changes-{name}.png");
        await File.WriteAllBytesAsync(path, ChangePicture.Render(result.Items));
        Console.WriteLine($"{folder}: {result.Dates.Count} dates, {result.PlacesCompared} successive chip pairs; top {result.Items.Count} (normalised change):");
        foreach (var c in result.Items)
            Console.WriteLine($"  {c.Before.AcquiredAt:yyyy-MM-dd} -> {c.After.AcquiredAt:yyyy-MM-dd}  window {c.After.Window}  normalised {c.Score:F2}  change {c.Change:F4}");
        Console.WriteLine($"  picture: {path}");
    }
    return 0;
}
finally
{
    if (temporary && target.Cluster is { } cluster) await cluster.DeleteAsync();
}

static async Task Ingest(CatalogStore store, Model model, IReadOnlyList<string> files, DateTimeOffset? acquired)
{
    var report = await new IngestPipeline(store, model, new IngestOptions { ChipSize = ChipSize, Acquired = acquired }).RunAsync(files);
    if (report.Failures.Any()) throw new InvalidOperationException(string.Join("; ", report.Failures.Select(f => f.Message)));
    Console.Error.WriteLine($"  ingested {files.Count} file(s): {report.ChipsWritten} chips in {report.Elapsed.TotalSeconds:F1} s");
}

// Mean absolute difference of the two chips' RGB values (0-255), read raw from the sources.
static double PixelDifference(ChipRecord before, ChipRecord after)
{
    using var a = RasterDataset.Open(before.SceneUri);
    using var b = RasterDataset.Open(after.SceneUri);
    int[] bands = [1, 2, 3];
    var pa = a.ReadPixels(before.Window, bands, before.Window.Width, before.Window.Height, Resampling.Nearest);
    var pb = b.ReadPixels(after.Window, bands, after.Window.Width, after.Window.Height, Resampling.Nearest);
    double sum = 0;
    for (var i = 0; i < pa.Length; i++) sum += Math.Abs(pa[i] - pb[i]);
    return sum / pa.Length;
}

string? StringArg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
