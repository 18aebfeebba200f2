using RsGeoSearch.Core;

namespace RsGeoSearch.Raster.Tests;

public class ThumbnailTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Test]
    public void Chip_thumbnail_is_a_png_of_the_expected_size_and_pixels()
    {
        using var ds = RasterDataset.Open(Rasters.Naip2009);
        using var tiler = new Tiler(ds);
        var chip = tiler.ReadChip(0, 1, 1);
        var png = Thumbnailer.Render(ds, chip.Window, maxSize: 128);
        Assert.That(png.Take(8), Is.EqualTo(PngSignature));
        using var decoded = RasterDataset.Open(png, "thumb.png");
        Assert.That((decoded.DriverName, decoded.Width, decoded.Height, decoded.BandCount), Is.EqualTo(("PNG", 128, 128, 3)));

        // Same size as the chip: the PNG holds exactly the chip's 8-bit pixels.
        var full = Thumbnailer.Render(ds, chip.Window, maxSize: 256);
        using var same = RasterDataset.Open(full, "full.png");
        var pixels = same.ReadPixels(new PixelWindow(0, 0, 256, 256), [1, 2, 3], 256, 256, Resampling.Nearest);
        Assert.That(pixels.Select(v => v / 255f), Is.EqualTo(chip.Image!.Chw).Within(0.5f / 255));
    }

    [Test]
    public void Edge_windows_keep_their_aspect_and_nodata_becomes_transparent()
    {
        using var ds = RasterDataset.Open(Rasters.Drone);
        var window = new PixelWindow(512, 0, 174, 256);
        var png = Thumbnailer.Render(ds, window, maxSize: 128);
        using var decoded = RasterDataset.Open(png, "edge.png");
        Assert.That((decoded.Width, decoded.Height, decoded.BandCount), Is.EqualTo((87, 128, 4)));
        var alpha = decoded.ReadPixels(new PixelWindow(0, 0, 87, 128), [4], 87, 128, Resampling.Nearest);
        Assert.That(alpha.Count(a => a == 0), Is.GreaterThan(87 * 128 / 4));
        Assert.That(alpha.Count(a => a == 255), Is.GreaterThan(87 * 128 / 4));
    }

    [Test]
    public void Jpeg_thumbnails_and_encoding_a_chip_image()
    {
        using var ds = RasterDataset.Open(Rasters.Sentinel2);
        var jpeg = Thumbnailer.Render(ds, new PixelWindow(0, 0, 1830, 1830), maxSize: 200, format: ImageFormat.Jpeg, jpegQuality: 80);
        Assert.That(jpeg.Take(3), Is.EqualTo(new byte[] { 0xFF, 0xD8, 0xFF }));
        using (var decoded = RasterDataset.Open(jpeg, "scene.jpg"))
            Assert.That((decoded.DriverName, decoded.Width, decoded.Height, decoded.BandCount), Is.EqualTo(("JPEG", 200, 200, 3)));

        var image = new ChipImage(Enumerable.Range(0, 3 * 16 * 8).Select(i => (i % 128) / 127f).ToArray(), 16, 8);
        var png = Thumbnailer.Encode(image);
        using var back = RasterDataset.Open(png, "x.png");
        Assert.That((back.Width, back.Height), Is.EqualTo((16, 8)));
        var values = back.ReadPixels(new PixelWindow(0, 0, 16, 8), [1, 2, 3], 16, 8, Resampling.Nearest);
        Assert.That(values.Select(v => v / 255f), Is.EqualTo(image.Chw).Within(0.5f / 255 + 1e-6f));
    }

    [Test]
    public void Windows_outside_the_raster_are_refused()
    {
        using var ds = RasterDataset.Open(Rasters.Colorado);
        Assert.That(() => Thumbnailer.Render(ds, new PixelWindow(300, 0, 256, 100)), Throws.InstanceOf<InputException>());
    }
}
