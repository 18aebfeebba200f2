using RsGeoSearch.Core;

namespace RsGeoSearch.Raster.Tests;

public class LeakTests
{
    internal static long RssKiB()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static double Cycle(byte[] upload)
    {
        using var ds = RasterDataset.Open(Rasters.Bahamas);
        using var ct = ds.CreateTransformToWgs84();
        var (lon, _) = ct.Transform(200000, 2700000);
        var mask = ds.ReadMask(1, new PixelWindow(100, 100, 64, 64), 16, 16);
        using var mem = RasterDataset.Open(upload, "x.png");
        var pixels = mem.ReadPixels(new PixelWindow(0, 0, mem.Width, mem.Height), [1], 8, 8);
        return lon + mask[0] + pixels[0];
    }

    [Test]
    public void Thousands_of_open_transform_read_close_cycles_keep_native_memory_bounded()
    {
        if (!File.Exists("/proc/self/status")) Assert.Ignore("needs /proc (Linux)");
        byte[] upload;
        using (var ds = RasterDataset.Open(Rasters.Colorado)) upload = Thumbnailer.Render(ds, new PixelWindow(0, 0, 64, 64));
        double sum = 0;
        for (var i = 0; i < 300; i++) sum += Cycle(upload);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = RssKiB();
        for (var i = 0; i < 4000; i++)
        {
            sum += Cycle(upload);
            if (i % 1000 == 999) TestContext.Out.WriteLine($"after {i + 1}: VmRSS {RssKiB()} KiB");
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var growth = RssKiB() - before;
        TestContext.Out.WriteLine($"VmRSS growth over 4000 cycles: {growth} KiB");
        Assert.That(sum, Is.Not.NaN);
        // A leaked dataset (GDAL block cache, file handle, /vsimem/ copy) costs tens of KiB per cycle: 4000 leaks
        // would exceed 100 MiB. Allow generous slack for allocator and JIT noise.
        Assert.That(growth, Is.LessThan(64 * 1024));
    }
}
