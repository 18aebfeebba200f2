using RsGeoSearch.Core;

namespace RsGeoSearch.Raster.Tests;

public class BandMappingTests
{
    [Test]
    public void Parse_and_format()
    {
        Assert.That(BandMapping.Parse("3,2,1"), Is.EqualTo(new BandMapping(3, 2, 1)));
        Assert.That(BandMapping.Parse(" 2 "), Is.EqualTo(BandMapping.Gray(2)));
        Assert.That(BandMapping.Parse("4,3,2").ToString(), Is.EqualTo("4,3,2"));
        Assert.That(BandMapping.Gray(1).ToString(), Is.EqualTo("1"));
        Assert.That(() => BandMapping.Parse("0,1,2"), Throws.InstanceOf<InputException>());
        Assert.That(() => BandMapping.Parse("1,2"), Throws.InstanceOf<InputException>());
        Assert.That(() => BandMapping.Parse("red"), Throws.InstanceOf<InputException>());
    }

    [TestCase("naip-north-dakota/m_4709963_se_14_1_20200831.tif", "1,2,3")] // R,G,B,NIR
    [TestCase("landsat-pucallpa/2020.tif", "1,2,3")]                      // SWIR1,NIR,Red,(Green): SWIR-NIR-red false colour
    [TestCase("drone-pix4d/pix4d_alpha_nodata.tif", "1,2,3")]             // RGBA by colour interpretation
    [TestCase("rapideye-sanfrancisco/1056417_2017-03-08_RE3_3A_Visual_clip.tif", "1,2,3")]
    [TestCase("spacenet-atlanta/sample_geotiff.tif", "1")]                // panchromatic: grey
    [TestCase("sentinel2-ireland/T29UNU_20221005T115411_TCI_60m.jp2", "1,2,3")]
    public void Defaults_from_band_count_and_colour_interpretation(string relative, string expected)
    {
        using var ds = RasterDataset.Open(Path.Combine(Rasters.Folder, relative));
        Assert.That(BandMapping.Default(ds).ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void Naip_chip_channels_are_bands_1_2_3_and_the_override_reorders_them()
    {
        using var ds = RasterDataset.Open(Rasters.Naip2009);
        using var tiler = new Tiler(ds, new TilerOptions { Edges = EdgeMode.Skip });
        var chip = tiler.ReadChip(0, 1, 1);
        var raw = ds.ReadPixels(chip.Window, [1, 2, 3, 4], 256, 256, Resampling.Nearest);
        var plane = 256 * 256;
        for (var c = 0; c < 3; c++)
            Assert.That(chip.Image!.Chw.AsSpan(c * plane, plane).ToArray(),
                Is.EqualTo(raw.AsSpan(c * plane, plane).ToArray().Select(v => v / 255f)).Within(1e-6f), $"channel {c}");

        using var nir = new Tiler(ds, new TilerOptions { Edges = EdgeMode.Skip, Bands = BandMapping.Parse("4,1,2") });
        var falseColour = nir.ReadChip(0, 1, 1);
        Assert.That(falseColour.Image!.Chw.AsSpan(0, plane).ToArray(), Is.EqualTo(raw.AsSpan(3 * plane, plane).ToArray().Select(v => v / 255f)).Within(1e-6f));
        Assert.That(falseColour.Image.Chw.AsSpan(plane, plane).ToArray(), Is.EqualTo(raw.AsSpan(0, plane).ToArray().Select(v => v / 255f)).Within(1e-6f));
    }

    [Test]
    public void Landsat_default_shows_the_rain_forest_green()
    {
        // Bands are SWIR1, NIR, Red, Green: the default 1,2,3 puts NIR in the green channel, where dense
        // vegetation is bright, so the Amazon forest around Pucallpa comes out green.
        using var ds = RasterDataset.Open(Rasters.Pucallpa1985);
        using var tiler = new Tiler(ds, new TilerOptions { Levels = [2], OutputSize = 128, MaxNodataFraction = 1 });
        var image = tiler.Chips().Single().Image!;
        var plane = 128 * 128;
        double Mean(int c) => image.Chw.Skip(c * plane).Take(plane).Where(v => v > 0).Average();
        Assert.That(Mean(1), Is.GreaterThan(Mean(0)));
        Assert.That(Mean(1), Is.GreaterThan(Mean(2)));
        Assert.That(tiler.Bands, Is.EqualTo(new BandMapping(1, 2, 3)));
    }

    [Test]
    public void Sixteen_bit_data_gets_a_cached_percentile_stretch()
    {
        using var ds = RasterDataset.Open(Rasters.SpaceNet);
        var (low, high) = ds.Band(1).GetPercentiles();
        Assert.That(low, Is.GreaterThan(0));
        Assert.That(high, Is.GreaterThan(low));
        Assert.That(high, Is.LessThan(65535));
        Assert.That(ds.Band(1).GetPercentiles(), Is.EqualTo((low, high)));

        using var tiler = new Tiler(ds, new TilerOptions { Levels = [2], OutputSize = 225, Resampling = Resampling.Nearest });
        Assert.That(tiler.Stretch[0].Low, Is.EqualTo((float)low));
        var image = tiler.Chips().Single().Image!; // 1024 px chip over 900 px: 198 of 225 output pixels are data
        var values = new List<float>();
        for (var y = 0; y < 197; y++)
        for (var x = 0; x < 197; x++) values.Add(image.Chw[y * 225 + x]);
        var zeros = values.Count(v => v == 0) / (double)values.Count;
        var ones = values.Count(v => v == 1) / (double)values.Count;
        Assert.That(zeros, Is.InRange(0.005, 0.06), "about 2% below the low percentile");
        Assert.That(ones, Is.InRange(0.005, 0.06), "about 2% above the high percentile");
        Assert.That(values.Average(), Is.InRange(0.2, 0.8));
        // Grey: all three channels equal.
        Assert.That(image.Chw.AsSpan(0, 225 * 225).SequenceEqual(image.Chw.AsSpan(2 * 225 * 225, 225 * 225)), Is.True);

        using var none = new Tiler(ds, new TilerOptions { Levels = [2], OutputSize = 64, Stretch = StretchMode.None });
        Assert.That(none.Stretch[0], Is.EqualTo((0f, 1f / 65535)));
    }
}
