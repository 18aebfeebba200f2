// Raster stage benchmark: chips/s and MB/s of source pixels for the tiler over the whole shared rasters folder,
// next to gdal_translate converting the same files (to uncompressed GeoTIFF in a temp folder) in the same run.
// Not a test: it prints numbers and ratios and never fails on speed.
//
//   dotnet run -c Release --project bench/RsGeoSearch.Bench.Raster [-- --repeat 3 --output 224 --levels 0,1,2]
using System.Diagnostics;
using System.Globalization;
using RsGeoSearch.Core;
using RsGeoSearch.Raster;

var repeat = 3;
var output = 224;
IReadOnlyList<int> levels = [0, 1, 2];
for (var i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--repeat": repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--output": output = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--levels": levels = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
    }
}

var folder = SharedData.Path("rasters");
var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
    .Where(f => f.EndsWith(".tif", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jp2", StringComparison.OrdinalIgnoreCase))
    .Order(StringComparer.Ordinal).ToList();

long sourceBytes = 0;
foreach (var f in files)
{
    using var ds = RasterDataset.Open(f);
    sourceBytes += (long)ds.Width * ds.Height * ds.BandCount * BytesPerSample(ds.Band(1).DataType);
}
Console.WriteLine($"{files.Count} rasters in {folder}, {sourceBytes / 1e6:F1} MB of decoded pixels (all bands); chips 256 px, levels {string.Join(',', levels)}, output {output} px; best of {repeat}");

// Warm up both (page cache, JIT, GDAL driver registration).
RunTiler(files, levels, output);
RunGdalTranslate(files);

var tilerBest = double.MaxValue;
var gdalBest = double.MaxValue;
var startBest = double.MaxValue;
(long Chips, long Bytes) counts = default;
(long Chips, long Bytes) level0 = default;
var level0Best = double.MaxValue;
for (var r = 0; r < repeat; r++)
{
    var sw = Stopwatch.StartNew();
    level0 = RunTiler(files, [0], 256);
    level0Best = Math.Min(level0Best, sw.Elapsed.TotalSeconds);
    sw.Restart();
    counts = RunTiler(files, levels, output);
    tilerBest = Math.Min(tilerBest, sw.Elapsed.TotalSeconds);
    sw.Restart();
    RunGdalTranslate(files);
    gdalBest = Math.Min(gdalBest, sw.Elapsed.TotalSeconds);
    sw.Restart();
    RunProcessStarts(files.Count);
    startBest = Math.Min(startBest, sw.Elapsed.TotalSeconds);
}

var gdalMbps = sourceBytes / 1e6 / gdalBest;
Console.WriteLine();
Console.WriteLine($"{"run",-44} {"seconds",8} {"chips",7} {"chips/s",9} {"MB/s",8} {"vs gdal_translate",18}");
Print("tiler level 0, 256 px out, no resampling", level0Best, level0.Chips, level0.Bytes);
Print($"tiler levels {string.Join(',', levels)}, {output} px out (bilinear)", tilerBest, counts.Chips, counts.Bytes);
Console.WriteLine($"{"gdal_translate -of GTiff (one process/file)",-44} {gdalBest,8:F3} {"",7} {"",9} {gdalMbps,8:F1} {1.0,17:F2}x");
var netSeconds = Math.Max(1e-3, gdalBest - startBest);
Console.WriteLine($"{"  less process start (x --version)",-44} {netSeconds,8:F3} {"",7} {"",9} {sourceBytes / 1e6 / netSeconds,8:F1} {sourceBytes / 1e6 / netSeconds / gdalMbps,17:F2}x");
Console.WriteLine();
Console.WriteLine("MB/s = source pixels read (chip windows x read bands x bytes per sample) per second; for gdal_translate,");
Console.WriteLine("all bands of every file. The tiler reads 3 mapped bands plus the mask, so its MB counts fewer bands.");

void Print(string name, double seconds, long chips, long bytes)
{
    var mbps = bytes / 1e6 / seconds;
    Console.WriteLine($"{name,-44} {seconds,8:F3} {chips,7} {chips / seconds,9:F1} {mbps,8:F1} {mbps / gdalMbps,17:F2}x");
}

static (long Chips, long Bytes) RunTiler(List<string> files, IReadOnlyList<int> levels, int output)
{
    long chips = 0, bytes = 0;
    foreach (var f in files)
    {
        using var ds = RasterDataset.Open(f);
        using var tiler = new Tiler(ds, new TilerOptions { Levels = levels, OutputSize = output });
        var perPixel = 3 * BytesPerSample(ds.Band(tiler.Bands.Red).DataType);
        foreach (var chip in tiler.Chips())
        {
            chips++;
            bytes += (long)chip.Window.Width * chip.Window.Height * perPixel;
        }
    }
    return (chips, bytes);
}

static void RunGdalTranslate(List<string> files)
{
    var dir = Directory.CreateTempSubdirectory("rsgeo-bench-");
    try
    {
        foreach (var f in files)
        {
            var target = Path.Combine(dir.FullName, Path.GetFileNameWithoutExtension(f) + ".tif");
            var psi = new ProcessStartInfo("gdal_translate", ["-q", "-of", "GTiff", f, target]) { RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"gdal_translate failed on {f}");
        }
    }
    finally { dir.Delete(true); }
}

static void RunProcessStarts(int count)
{
    for (var i = 0; i < count; i++)
    {
        var psi = new ProcessStartInfo("gdal_translate", ["--version"]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
    }
}

static int BytesPerSample(RasterDataType t) => t switch
{
    RasterDataType.Byte or RasterDataType.Int8 => 1,
    RasterDataType.UInt16 or RasterDataType.Int16 => 2,
    RasterDataType.Float64 or RasterDataType.Int64 or RasterDataType.UInt64 or RasterDataType.CInt32 or RasterDataType.CFloat32 => 8,
    RasterDataType.CFloat64 => 16,
    _ => 4,
};
