using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RsGeoSearch.Core;

namespace RsGeoSearch.Raster.Tests;

/// <summary>Paths of the shared rasters and helpers that ask GDAL's own command-line tools for reference answers.</summary>
internal static class Rasters
{
    public static string Folder => SharedData.Path("rasters");
    public static string Naip2009 => Path.Combine(Folder, "naip-north-dakota", "m_4709963_se_14_1_20090818.tif");
    public static string Pucallpa1985 => Path.Combine(Folder, "landsat-pucallpa", "1985.tif");
    public static string Sentinel2 => Path.Combine(Folder, "sentinel2-ireland", "T29UNU_20221005T115411_TCI_60m.jp2");
    public static string Drone => Path.Combine(Folder, "drone-pix4d", "pix4d_alpha_nodata.tif");
    public static string Bahamas => Path.Combine(Folder, "landsat7-bahamas", "RGB.byte.tif");
    public static string SpaceNet => Path.Combine(Folder, "spacenet-atlanta", "sample_geotiff.tif");
    public static string Colorado => Path.Combine(Folder, "aerial-colorado", "201404_13SED190110_201404_0x1500m_CL_1.tif");
    public static string RapidEye => Path.Combine(Folder, "rapideye-sanfrancisco", "1056417_2017-03-08_RE3_3A_Visual_clip.tif");

    public static IEnumerable<string> All() =>
        Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".tif", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jp2", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);

    public static string AidImage => Directory.EnumerateFiles(SharedData.Path("scenes", "aid", "Airport"), "*.jpg").Order(StringComparer.Ordinal).First();

    public static string Run(string tool, string arguments, string? stdin = null)
    {
        var psi = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool}");
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {arguments} failed: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>gdalinfo -json's wgs84Extent ring: upper-left, lower-left, lower-right, upper-right (lon, lat).</summary>
    public static (double Lon, double Lat)[] GdalinfoWgs84Corners(string file)
    {
        using var doc = JsonDocument.Parse(Run("gdalinfo", $"-json \"{file}\""));
        var ring = doc.RootElement.GetProperty("wgs84Extent").GetProperty("coordinates")[0];
        return Enumerable.Range(0, 4).Select(i => (ring[i][0].GetDouble(), ring[i][1].GetDouble())).ToArray();
    }

    /// <summary>gdaltransform from pixel/line of <paramref name="file"/> to EPSG:4326 (lon, lat).</summary>
    public static (double Lon, double Lat)[] GdalTransformPixels(string file, IEnumerable<(double Px, double Py)> pixels)
    {
        var input = string.Join('\n', pixels.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Px} {p.Py}"))) + "\n";
        var output = Run("gdaltransform", $"-t_srs EPSG:4326 -output_xy \"{file}\"", input);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(a => (double.Parse(a[0], CultureInfo.InvariantCulture), double.Parse(a[1], CultureInfo.InvariantCulture)))
            .ToArray();
    }

    /// <summary>gdallocationinfo -valonly: the band values at one pixel.</summary>
    public static double[] PixelValues(string file, int x, int y) =>
        Run("gdallocationinfo", $"-valonly \"{file}\" {x} {y}")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}
