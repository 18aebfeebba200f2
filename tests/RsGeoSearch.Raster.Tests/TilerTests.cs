using RsGeoSearch.Core;

namespace RsGeoSearch.Raster.Tests;

public class TilerTests
{
    [TestCase(256, null, EdgeMode.Pad, 0, 4, 3)]
    [TestCase(256, null, EdgeMode.Skip, 0, 3, 2)]
    [TestCase(256, null, EdgeMode.Pad, 1, 2, 2)]
    [TestCase(256, null, EdgeMode.Pad, 2, 1, 1)]
    [TestCase(256, null, EdgeMode.Skip, 2, 0, 0)]
    [TestCase(128, null, EdgeMode.Pad, 0, 8, 6)]
    [TestCase(256, 128, EdgeMode.Pad, 0, 7, 5)]
    [TestCase(256, 128, EdgeMode.Skip, 0, 6, 4)]
    public void Grid_sizes_for_chip_size_stride_and_level(int chip, int? stride, EdgeMode edges, int level, int cols, int rows)
    {
        using var ds = RasterDataset.Open(Rasters.Naip2009); // 934 x 724
        using var tiler = new Tiler(ds, new TilerOptions { ChipSize = chip, Stride = stride, Edges = edges, Levels = [level] });
        Assert.That(tiler.GridSize(level), Is.EqualTo((cols, rows)));
    }

    [Test]
    public void Chip_counts_over_levels_with_padding_and_nodata_skipping()
    {
        using var ds = RasterDataset.Open(Rasters.Naip2009);
        using var tiler = new Tiler(ds, new TilerOptions { Levels = [0, 1, 2], ReadPixels = false });
        var chips = tiler.Chips().ToList();
        var perLevel = chips.GroupBy(c => c.Level).ToDictionary(g => g.Key, g => g.Count());
        // Level 0: 4x3 grid, the smallest edge chip (166x212 px) is 46% padding: all 12 kept.
        // Level 1: 2x2 grid of 512 px chips; the bottom row is 212/512 = 41% covered: 2 kept.
        // Level 2: one 1024 px chip covering 934x724 (64.5% valid): kept.
        Assert.That(perLevel, Is.EqualTo(new Dictionary<int, int> { [0] = 12, [1] = 2, [2] = 1 }));
        var corner = chips.Single(c => c.Level == 0 && c.Col == 3 && c.Row == 2);
        Assert.That(corner.Window, Is.EqualTo(new PixelWindow(768, 512, 166, 212)));
        Assert.That(corner.NodataFraction, Is.EqualTo(1 - 166.0 * 212 / 65536).Within(0.01));
        Assert.That(chips.Single(c => c.Level == 2).Window, Is.EqualTo(new PixelWindow(0, 0, 934, 724)));

        using var skip = new Tiler(ds, new TilerOptions { Edges = EdgeMode.Skip, ReadPixels = false });
        Assert.That(skip.Chips().Count(), Is.EqualTo(6));
        Assert.That(skip.Chips().All(c => c.Window.Width == 256 && c.Window.Height == 256), Is.True);
    }

    [Test]
    public void Chip_images_have_the_output_size_and_values_in_unit_range()
    {
        using var ds = RasterDataset.Open(Rasters.Naip2009);
        using var tiler = new Tiler(ds, new TilerOptions { Levels = [0, 1], OutputSize = 224, Resampling = Resampling.Average });
        var chips = tiler.Chips().ToList();
        Assert.That(chips, Is.Not.Empty);
        foreach (var chip in chips)
        {
            Assert.That(chip.Image, Is.Not.Null);
            Assert.That((chip.Image!.Width, chip.Image.Height), Is.EqualTo((224, 224)));
            Assert.That(chip.Image.Chw.All(v => v is >= 0 and <= 1), Is.True);
        }
        // A padded edge chip: the right part beyond the raster is zero.
        var edge = chips.Single(c => c.Level == 0 && c.Col == 3 && c.Row == 0);
        var covered = (int)Math.Round(166 * 224 / 256.0);
        Assert.That(edge.Image!.Chw[10 * 224 + covered + 5], Is.EqualTo(0));
        Assert.That(edge.Image.Chw.Take(224 * 224).Where((v, i) => i % 224 < covered - 1).Average(), Is.GreaterThan(0.05));
    }

    [Test]
    public void Chip_footprints_match_gdaltransform_of_the_chip_corners()
    {
        foreach (var file in new[] { Rasters.Naip2009, Rasters.Sentinel2, Rasters.Pucallpa1985, Rasters.Drone })
        {
            using var ds = RasterDataset.Open(file);
            using var tiler = new Tiler(ds, new TilerOptions { Levels = [0, 1], ReadPixels = false, MaxNodataFraction = 1 });
            var chips = tiler.Chips().ToList();
            var corners = chips.SelectMany(c => new (double, double)[]
            {
                (c.Window.X, c.Window.Y), (c.Window.X, c.Window.Y + c.Window.Height),
                (c.Window.X + c.Window.Width, c.Window.Y + c.Window.Height), (c.Window.X + c.Window.Width, c.Window.Y),
            }).ToList();
            var reference = Rasters.GdalTransformPixels(file, corners);
            Assert.That(reference, Has.Length.EqualTo(corners.Count));
            for (var i = 0; i < chips.Count; i++)
            {
                var ring = chips[i].Footprint!.Shell.Coordinates;
                Assert.That(ring, Has.Length.EqualTo(4 * FootprintBuilder.DefaultSegmentsPerEdge + 1));
                for (var k = 0; k < 4; k++)
                {
                    var c = ring[k * FootprintBuilder.DefaultSegmentsPerEdge];
                    Assert.That(c.X, Is.EqualTo(reference[4 * i + k].Lon).Within(1e-6), $"{file} chip {chips[i].Col},{chips[i].Row} corner {k}");
                    Assert.That(c.Y, Is.EqualTo(reference[4 * i + k].Lat).Within(1e-6), $"{file} chip {chips[i].Col},{chips[i].Row} corner {k}");
                }
                Assert.That(chips[i].Footprint!.SRID, Is.EqualTo(4326));
            }
        }
    }

    [Test]
    public void Whole_scene_footprints_match_gdalinfo_corners_for_every_shared_raster()
    {
        foreach (var file in Rasters.All())
        {
            using var ds = RasterDataset.Open(file);
            var footprint = ds.Describe().Footprint!;
            var expected = Rasters.GdalinfoWgs84Corners(file);
            for (var k = 0; k < 4; k++)
            {
                var c = footprint.Shell.Coordinates[k * FootprintBuilder.DefaultSegmentsPerEdge];
                Assert.That(c.X, Is.EqualTo(expected[k].Lon).Within(1e-6), $"{file} corner {k}");
                Assert.That(c.Y, Is.EqualTo(expected[k].Lat).Within(1e-6), $"{file} corner {k}");
            }
        }
    }

    [Test]
    public void Native_footprint_is_the_geotransformed_window()
    {
        using var ds = RasterDataset.Open(Rasters.Naip2009);
        using var tiler = new Tiler(ds);
        var native = tiler.NativeFootprint(tiler.Window(0, 1, 1))!;
        Assert.That(native.SRID, Is.EqualTo(26914));
        Assert.That(native.EnvelopeInternal.MinX, Is.EqualTo(485900 + 256 * 5));
        Assert.That(native.EnvelopeInternal.MaxY, Is.EqualTo(5209247 - 256 * 5));
        Assert.That(native.Area, Is.EqualTo(256 * 5 * 256 * 5).Within(1e-3));
    }

    [Test]
    public void Sentinel2_nodata_wedge_chips_are_skipped()
    {
        using var ds = RasterDataset.Open(Rasters.Sentinel2);
        using var tiler = new Tiler(ds, new TilerOptions { ReadPixels = false });
        var kept = tiler.Chips().Select(c => (c.Col, c.Row)).ToHashSet();
        // Reference fractions (all three bands 0, plus padding) computed from gdal_translate's output.
        Assert.That(tiler.ReadChip(0, 5, 0).NodataFraction, Is.EqualTo(0.77).Within(0.01));
        Assert.That(tiler.ReadChip(0, 4, 2).NodataFraction, Is.EqualTo(0.398).Within(0.01));
        Assert.That(tiler.ReadChip(0, 4, 3).NodataFraction, Is.EqualTo(0.719).Within(0.01));
        Assert.That(tiler.ReadChip(0, 3, 5).NodataFraction, Is.EqualTo(0.353).Within(0.01));
        Assert.That(tiler.ReadChip(0, 7, 7).NodataFraction, Is.EqualTo(1.0));
        Assert.That(kept, Does.Not.Contain((5, 0)).And.Not.Contain((4, 3)).And.Not.Contain((7, 0)));
        Assert.That(kept, Does.Contain((4, 2)).And.Contain((0, 0)).And.Contain((3, 5)));
        Assert.That(kept, Has.Count.EqualTo(30));
        Assert.That(tiler.TryRead(0, 5, 0), Is.Null);
        Assert.That(tiler.TryRead(0, 4, 2)!.Window, Is.EqualTo(new PixelWindow(1024, 512, 256, 256)));
    }

    [Test]
    public void Drone_alpha_edge_chips_are_skipped()
    {
        using var ds = RasterDataset.Open(Rasters.Drone);
        using var tiler = new Tiler(ds, new TilerOptions { ReadPixels = false });
        // Reference fractions (alpha = 0 plus padding) computed from gdal_translate's alpha band.
        Assert.That(tiler.ReadChip(0, 0, 0).NodataFraction, Is.EqualTo(0.117).Within(0.01));
        Assert.That(tiler.ReadChip(0, 1, 1).NodataFraction, Is.EqualTo(0.0).Within(0.001));
        Assert.That(tiler.ReadChip(0, 2, 0).NodataFraction, Is.EqualTo(0.609).Within(0.01));
        var kept = tiler.Chips().Select(c => (c.Col, c.Row)).ToList();
        Assert.That(kept, Has.Count.EqualTo(8));
        Assert.That(kept, Does.Not.Contain((2, 0)));

        // Without padding: 128 px chips inside the raster that are mostly transparent are dropped too.
        using var small = new Tiler(ds, new TilerOptions { ChipSize = 128, Edges = EdgeMode.Skip, ReadPixels = false, MaxNodataFraction = 1 });
        var all = small.Chips().ToList();
        Assert.That(all.Any(c => c.NodataFraction > 0.5), Is.True, "some interior-grid chips are mostly alpha");
        using var filtered = new Tiler(ds, new TilerOptions { ChipSize = 128, Edges = EdgeMode.Skip, ReadPixels = false });
        Assert.That(filtered.Chips().Count(), Is.EqualTo(all.Count(c => c.NodataFraction <= 0.5)));
    }

    [Test]
    public void Masked_pixels_are_zero_in_chip_images()
    {
        using var ds = RasterDataset.Open(Rasters.Drone);
        using var tiler = new Tiler(ds);
        var chip = tiler.ReadChip(0, 0, 0);
        var alpha = ds.ReadPixels(chip.Window, [4], chip.Window.Width, chip.Window.Height, Resampling.Nearest);
        var image = chip.Image!;
        var zeroAlpha = 0;
        for (var y = 0; y < chip.Window.Height; y++)
        for (var x = 0; x < chip.Window.Width; x++)
        {
            if (alpha[y * chip.Window.Width + x] != 0) continue;
            zeroAlpha++;
            Assert.That(image.Chw[y * 256 + x], Is.EqualTo(0));
        }
        Assert.That(zeroAlpha, Is.GreaterThan(1000));
    }

    [Test]
    public void Jpeg2000_chip_pixels_equal_gdallocationinfo()
    {
        using var ds = RasterDataset.Open(Rasters.Sentinel2);
        using var tiler = new Tiler(ds);
        var chip = tiler.ReadChip(0, 1, 2); // window 256,512 256x256, output 256: no resampling
        Assert.That(chip.Window, Is.EqualTo(new PixelWindow(256, 512, 256, 256)));
        foreach (var (x, y) in new[] { (0, 0), (17, 101), (255, 255), (128, 3) })
        {
            var expected = Rasters.PixelValues(Rasters.Sentinel2, 256 + x, 512 + y);
            for (var c = 0; c < 3; c++)
                Assert.That(chip.Image!.Chw[c * 65536 + y * 256 + x] * 255, Is.EqualTo(expected[c]).Within(1e-3), $"pixel {x},{y} band {c + 1}");
        }
    }

    [Test]
    public void Pyramid_level_reads_whole_raster_downsampled_inside_gdal()
    {
        using var ds = RasterDataset.Open(Rasters.Sentinel2);
        using var tiler = new Tiler(ds, new TilerOptions { Levels = [3], OutputSize = 128, MaxNodataFraction = 1 });
        var chips = tiler.Chips().ToList(); // 2048 px chips over 1830 px: one chip
        Assert.That(chips, Has.Count.EqualTo(1));
        Assert.That(chips[0].Window, Is.EqualTo(new PixelWindow(0, 0, 1830, 1830)));
        var covered = (int)Math.Round(1830 * 128 / 2048.0);
        var image = chips[0].Image!;
        Assert.That(image.Chw[5 * 128 + 5], Is.GreaterThan(0));
        Assert.That(image.Chw[5 * 128 + covered + 1], Is.EqualTo(0));
    }

    [Test]
    public void Ungeoreferenced_images_are_refused_unless_allowed()
    {
        using var ds = RasterDataset.Open(Rasters.AidImage);
        Assert.That(ds.IsGeoreferenced, Is.False);
        var ex = Assert.Throws<RasterException>(() => new Tiler(ds))!;
        Assert.That(ex.Message, Does.Contain(Rasters.AidImage).And.Contain("no georeferencing"));
        using var tiler = new Tiler(ds, new TilerOptions { AllowUngeoreferenced = true, ChipSize = 64 });
        var chips = tiler.Chips().ToList();
        Assert.That(chips, Has.Count.EqualTo(4)); // 150 px: 3x3 grid, edge chips 22 px wide are mostly padding
        Assert.That(chips.All(c => c.Footprint is null && c.Image is not null), Is.True);
        Assert.That(ds.Describe().Footprint, Is.Null);
    }

    [Test]
    public void Options_are_validated()
    {
        using var ds = RasterDataset.Open(Rasters.Naip2009);
        Assert.That(() => new Tiler(ds, new TilerOptions { ChipSize = 0 }), Throws.InstanceOf<InputException>());
        Assert.That(() => new Tiler(ds, new TilerOptions { Levels = [0, 0] }), Throws.InstanceOf<InputException>());
        Assert.That(() => new Tiler(ds, new TilerOptions { MaxNodataFraction = 2 }), Throws.InstanceOf<InputException>());
        Assert.That(() => new Tiler(ds, new TilerOptions { Bands = BandMapping.Parse("5,2,1") }),
            Throws.InstanceOf<RasterException>().With.Message.Contains("band 5"));
    }
}
