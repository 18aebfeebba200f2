using RsGeoSearch.Core;

namespace RsGeoSearch.Raster.Tests;

public class ImageReaderTests
{
    [Test]
    public void Reads_a_plain_jpeg_at_the_encoder_size()
    {
        var path = Rasters.AidImage; // 150 x 150 RGB JPEG, no georeferencing
        var image = ImageReader.Read(path, 224, 224, ResizeMode.Squash);
        Assert.That((image.Width, image.Height, image.Chw.Length), Is.EqualTo((224, 224, 3 * 224 * 224)));
        Assert.That(image.Chw.All(v => v is >= 0 and <= 1), Is.True);
        Assert.That(image.Chw.Average(), Is.InRange(0.05, 0.95));

        // Native size with nearest: exactly the decoded JPEG pixels / 255 (compared with gdallocationinfo).
        var native = ImageReader.Read(path, 150, 150, ResizeMode.Squash, Resampling.Nearest);
        var expected = Rasters.PixelValues(path, 37, 91);
        for (var c = 0; c < 3; c++)
            Assert.That(native.Chw[c * 150 * 150 + 91 * 150 + 37] * 255, Is.EqualTo(expected[c]).Within(1e-3));
    }

    [Test]
    public void Bytes_and_file_give_the_same_image()
    {
        var path = Rasters.AidImage;
        var fromFile = ImageReader.Read(path, 96, 96, ResizeMode.ShortestSideCenterCrop, Resampling.Cubic);
        var fromBytes = ImageReader.Read(File.ReadAllBytes(path), "upload.jpg", 96, 96, ResizeMode.ShortestSideCenterCrop, Resampling.Cubic);
        Assert.That(fromBytes.Chw, Is.EqualTo(fromFile.Chw));
    }

    [Test]
    public void Centre_crop_is_read_as_a_source_window()
    {
        Assert.That(ImageReader.SourceWindow(791, 718, 224, 224, ResizeMode.ShortestSideCenterCrop), Is.EqualTo((36.5, 0.0, 718.0, 718.0)));
        Assert.That(ImageReader.SourceWindow(100, 300, 50, 50, ResizeMode.ShortestSideCenterCrop), Is.EqualTo((0.0, 100.0, 100.0, 100.0)));
        Assert.That(ImageReader.SourceWindow(791, 718, 224, 224, ResizeMode.Squash), Is.EqualTo((0.0, 0.0, 791.0, 718.0)));

        // Non-square source, crop at native scale: output pixel (x, y) is source pixel (x + 36.5 ± 0.5, y).
        using var ds = RasterDataset.Open(Rasters.Bahamas);
        var crop = ImageReader.Read(ds, 718, 718, ResizeMode.ShortestSideCenterCrop, Resampling.Nearest);
        var plain = ds.ReadPixels(new PixelWindow(37, 0, 718, 718), [1, 2, 3], 718, 718, Resampling.Nearest);
        var matches = Enumerable.Range(0, 718 * 718).Count(i => Math.Abs(crop.Chw[i] * 255 - plain[i]) < 1e-3 || plain[i] == 0);
        Assert.That(matches / (718.0 * 718), Is.GreaterThan(0.99));
    }

    [Test]
    public void Garbage_bytes_give_a_clear_error()
    {
        var ex = Assert.Throws<RasterException>(() => ImageReader.Read("hello, not an image"u8, "note.txt", 64, 64))!;
        Assert.That(ex.Message, Does.StartWith("note.txt: GDAL cannot read it as an image"));
        Assert.That(ex, Is.InstanceOf<InputException>());
    }
}
