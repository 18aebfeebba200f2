using System.Globalization;
using RsGeoSearch.Core;

namespace RsGeoSearch.Raster.Tests;

/// <summary>
/// A raster placed on the map only by ground control points (made here from a georeferenced shared raster with
/// gdal_translate -gcp at its corners) is read through GDAL's virtual warp: it gets the original's grid, footprint
/// and pixels, and opening it again and again leaks neither the warp nor the file under it.
/// </summary>
public class GcpTests
{
    private string _folder = null!;
    private string _gcpCopy = null!;

    [OneTimeSetUp]
    public void MakeGcpCopy()
    {
        _folder = Directory.CreateTempSubdirectory("rsgeo-gcp-").FullName;
        _gcpCopy = Path.Combine(_folder, "bahamas-gcps.tif");
        using var original = RasterDataset.Open(Rasters.Bahamas);
        var gt = original.GeoTransform!.Value;
        var gcps = new[] { (0.0, 0.0), (original.Width, 0.0), (0.0, original.Height), (original.Width, original.Height), (original.Width / 2.0, original.Height / 3.0) }
            .Select(p => { var (x, y) = gt.Apply(p.Item1, p.Item2); return string.Create(CultureInfo.InvariantCulture, $"-gcp {p.Item1} {p.Item2} {x:R} {y:R}"); });
        Rasters.Run("gdal_translate", $"-q -a_srs {original.Crs} {string.Join(' ', gcps)} \"{Rasters.Bahamas}\" \"{_gcpCopy}\"");
    }

    [OneTimeTearDown]
    public void Remove() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void A_gcp_raster_is_warped_onto_the_grid_its_points_describe()
    {
        using var original = RasterDataset.Open(Rasters.Bahamas);
        using var gcp = RasterDataset.Open(_gcpCopy);
        Assert.That(Rasters.Run("gdalinfo", $"\"{_gcpCopy}\""), Does.Contain("GCP[").And.Not.Contain("Origin ="), "the copy has GCPs and no geotransform");
        Assert.Multiple(() =>
        {
            Assert.That(original.IsWarpedFromGcps, Is.False);
            Assert.That(gcp.IsWarpedFromGcps, Is.True);
            Assert.That(gcp.IsGeoreferenced, Is.True);
            Assert.That(gcp.EpsgCode, Is.EqualTo(original.EpsgCode));
            Assert.That(gcp.Width, Is.EqualTo(original.Width).Within(1));
            Assert.That(gcp.Height, Is.EqualTo(original.Height).Within(1));
            Assert.That(gcp.GeoTransform!.Value.PixelWidth, Is.EqualTo(original.GeoTransform!.Value.PixelWidth).Within(0.5).Percent);
        });
        var a = original.Describe().Footprint!.EnvelopeInternal;
        var b = gcp.Describe().Footprint!.EnvelopeInternal;
        var pixelDegrees = 2 * original.GeoTransform!.Value.PixelWidth / 111_000.0;
        Assert.That(new[] { b.MinX, b.MinY, b.MaxX, b.MaxY }, Is.EqualTo(new[] { a.MinX, a.MinY, a.MaxX, a.MaxY }).Within(pixelDegrees), "footprints within two pixels");

        // The same window shows the same pixels (up to the warp's bilinear resampling).
        var window = new PixelWindow(300, 300, 128, 128);
        var p = original.ReadPixels(window, [1, 2, 3], 128, 128);
        var q = gcp.ReadPixels(window, [1, 2, 3], 128, 128);
        var meanAbs = p.Zip(q, (x, y) => Math.Abs(x - y)).Average();
        Assert.That(meanAbs, Is.LessThan(6.0), "mean absolute difference of 8-bit values");

        using var tiler = new Tiler(gcp, new TilerOptions { ChipSize = 256, ReadPixels = false });
        var chips = tiler.Chips().ToList();
        Assert.That(chips, Is.Not.Empty);
        Assert.That(chips.All(c => c.Footprint is not null), Is.True);
    }

    [Test]
    public void Opening_a_gcp_raster_repeatedly_releases_the_warp_and_its_source()
    {
        if (!File.Exists("/proc/self/status")) Assert.Ignore("needs /proc (Linux)");
        double Cycle()
        {
            using var ds = RasterDataset.Open(_gcpCopy);
            return ds.ReadPixels(new PixelWindow(100, 100, 64, 64), [1], 16, 16)[0];
        }
        double sum = 0;
        for (var i = 0; i < 50; i++) sum += Cycle();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = LeakTests.RssKiB();
        for (var i = 0; i < 400; i++) sum += Cycle();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var growth = LeakTests.RssKiB() - before;
        TestContext.Out.WriteLine($"VmRSS growth over 400 GCP open/read/close cycles: {growth} KiB");
        Assert.That(sum, Is.Not.NaN);
        Assert.That(growth, Is.LessThan(32 * 1024), "a leaked warp or source dataset costs tens of KiB per cycle");
    }
}
