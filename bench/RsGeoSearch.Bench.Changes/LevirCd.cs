using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RsGeoSearch.Core;
using RsGeoSearch.Raster;

namespace RsGeoSearch.Bench.Changes;

/// <summary>One LEVIR-CD sample made georeferenced: before (A) and after (B) GeoTIFFs and the building-change mask.</summary>
public sealed record LevirSample(string Name, string Before, string After, string Label, BoundingBox Box);

/// <summary>
/// The LEVIR-CD samples in ../shared/data/change/levir-cd-samples (256 px crops of 1024 px source images; A before,
/// B after, label = building change mask). They carry no georeferencing: LEVIR_CD_name_coords.json gives each
/// source image's box as [west, north, east, south]; a sample named <c>test_2_0256_0512.png</c> is the crop at row
/// offset 256 and column offset 512 (offsets taken as row then column, numpy's [y, x] order) of test_2.png. Samples
/// without a label or two offsets (test_113_0256) are left out. Shared by the change tests and the change benchmark.
/// </summary>
public static class LevirCd
{
    public const int SourceSize = 1024;

    public static string Folder => SharedData.Path("change", "levir-cd-samples");

    /// <summary>Writes before/after GeoTIFFs (EPSG:4326, gdal_translate -a_ullr) into <paramref name="outDir"/>/A and /B.</summary>
    public static IReadOnlyList<LevirSample> Georeference(string outDir)
    {
        var coords = JsonSerializer.Deserialize<Dictionary<string, double[]>>(File.ReadAllText(Path.Combine(Folder, "LEVIR_CD_name_coords.json")))!;
        Directory.CreateDirectory(Path.Combine(outDir, "A"));
        Directory.CreateDirectory(Path.Combine(outDir, "B"));
        var samples = new List<LevirSample>();
        foreach (var label in Directory.EnumerateFiles(Path.Combine(Folder, "label"), "*.png").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(label);
            var parts = name.Split('_');
            if (parts.Length != 4) continue;
            var source = $"{parts[0]}_{parts[1]}.png";
            if (!coords.TryGetValue(source, out var c) || c.Length != 4) continue;
            var row = int.Parse(parts[2], CultureInfo.InvariantCulture);
            var col = int.Parse(parts[3], CultureInfo.InvariantCulture);
            double west = c[0], north = c[1], east = c[2], south = c[3];
            var dx = (east - west) / SourceSize;
            var dy = (north - south) / SourceSize;
            using var probe = RasterDataset.Open(label);
            var ulx = west + col * dx;
            var uly = north - row * dy;
            var lrx = ulx + probe.Width * dx;
            var lry = uly - probe.Height * dy;
            var before = Path.Combine(outDir, "A", name + ".tif");
            var after = Path.Combine(outDir, "B", name + ".tif");
            Translate(Path.Combine(Folder, "A", name + ".png"), before, ulx, uly, lrx, lry);
            Translate(Path.Combine(Folder, "B", name + ".png"), after, ulx, uly, lrx, lry);
            samples.Add(new LevirSample(name, before, after, label, new BoundingBox(ulx, lry, lrx, uly)));
        }
        return samples;
    }

    /// <summary>Fraction of changed (non-zero) mask pixels in each chip-size cell of the label, keyed by (col, row).</summary>
    public static IReadOnlyDictionary<(int Col, int Row), double> MaskFractions(string label, int chipSize)
    {
        using var dataset = RasterDataset.Open(label);
        var result = new Dictionary<(int, int), double>();
        for (var row = 0; row * chipSize < dataset.Height; row++)
        for (var col = 0; col * chipSize < dataset.Width; col++)
        {
            var w = Math.Min(chipSize, dataset.Width - col * chipSize);
            var h = Math.Min(chipSize, dataset.Height - row * chipSize);
            var pixels = dataset.ReadPixels(new PixelWindow(col * chipSize, row * chipSize, w, h), [1], w, h, Resampling.Nearest);
            result[(col, row)] = pixels.Count(v => v > 0) / (double)pixels.Length;
        }
        return result;
    }

    private static void Translate(string source, string target, double ulx, double uly, double lrx, double lry)
    {
        var psi = new ProcessStartInfo("gdal_translate") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-q", "-of", "GTiff", "-a_srs", "EPSG:4326", "-a_ullr" }) psi.ArgumentList.Add(a);
        foreach (var v in new[] { ulx, uly, lrx, lry }) psi.ArgumentList.Add(v.ToString("R", CultureInfo.InvariantCulture));
        psi.ArgumentList.Add(source);
        psi.ArgumentList.Add(target);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("gdal_translate did not start");
        var err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"gdal_translate {source} failed ({p.ExitCode}): {err}");
    }
}
