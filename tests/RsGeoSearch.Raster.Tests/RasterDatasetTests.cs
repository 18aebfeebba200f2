using RsGeoSearch.Core;

namespace RsGeoSearch.Raster.Tests;

public class RasterDatasetTests
{
    [TestCase("naip-north-dakota/m_4709963_se_14_1_20090818.tif", "GTiff", 934, 724, 4, 26914)]
    [TestCase("landsat-pucallpa/1985.tif", "GTiff", 697, 377, 4, 4326)]
    [TestCase("sentinel2-ireland/T29UNU_20221005T115411_TCI_60m.jp2", "JP2OpenJPEG", 1830, 1830, 3, 32629)]
    [TestCase("landsat7-bahamas/RGB.byte.tif", "GTiff", 791, 718, 3, 32618)]
    [TestCase("spacenet-atlanta/sample_geotiff.tif", "GTiff", 900, 900, 1, 32616)]
    [TestCase("aerial-colorado/201404_13SED190110_201404_0x1500m_CL_1.tif", "GTiff", 383, 232, 3, 26913)]
    [TestCase("drone-pix4d/pix4d_alpha_nodata.tif", "GTiff", 686, 758, 4, 32750)]
    [TestCase("rapideye-sanfrancisco/1056417_2017-03-08_RE3_3A_Visual_clip.tif", "GTiff", 692, 332, 4, 32610)]
    public void Opens_every_shared_raster_with_size_bands_and_crs(string relative, string driver, int width, int height, int bands, int epsg)
    {
        using var ds = RasterDataset.Open(Path.Combine(Rasters.Folder, relative));
        Assert.Multiple(() =>
        {
            Assert.That(ds.DriverName, Is.EqualTo(driver));
            Assert.That((ds.Width, ds.Height, ds.BandCount), Is.EqualTo((width, height, bands)));
            Assert.That(ds.EpsgCode, Is.EqualTo(epsg));
            Assert.That(ds.Crs, Is.EqualTo($"EPSG:{epsg}"));
            Assert.That(ds.CrsWkt, Does.StartWith("PROJCRS").Or.StartWith("GEOGCRS"));
            Assert.That(ds.IsGeoreferenced, Is.True);
        });
    }

    [Test]
    public void Reads_band_properties_nodata_and_masks()
    {
        using var naip = RasterDataset.Open(Rasters.Naip2009);
        Assert.That(naip.Bands.Select(b => b.DataType), Is.All.EqualTo(RasterDataType.Byte));
        Assert.That(naip.Band(1).NoDataValue, Is.EqualTo(0));
        Assert.That(naip.Band(1).MaskFlags, Is.EqualTo(MaskFlags.Nodata));
        Assert.That(naip.Band(1).OverviewCount, Is.EqualTo(1));
        Assert.That(naip.GeoTransform, Is.EqualTo(new GeoTransform(485900, 5, 0, 5209247, 0, -5)));
        Assert.That(naip.MetadataDomains, Does.Contain("IMAGE_STRUCTURE"));
        Assert.That(naip.Metadata("IMAGE_STRUCTURE")["LAYOUT"], Is.EqualTo("COG"));

        using var drone = RasterDataset.Open(Rasters.Drone);
        Assert.That(drone.Bands.Select(b => b.ColorInterpretation),
            Is.EqualTo(new[] { ColorInterpretation.Red, ColorInterpretation.Green, ColorInterpretation.Blue, ColorInterpretation.Alpha }));
        Assert.That(drone.Band(1).MaskFlags, Is.EqualTo(MaskFlags.PerDataset | MaskFlags.Alpha));
        Assert.That(drone.Metadata()["TIFFTAG_SOFTWARE"], Is.EqualTo("pix4dmapper"));

        using var pan = RasterDataset.Open(Rasters.SpaceNet);
        Assert.That(pan.Band(1).DataType, Is.EqualTo(RasterDataType.UInt16));
        Assert.That(pan.Band(1).ColorInterpretation, Is.EqualTo(ColorInterpretation.Gray));

        using var s2 = RasterDataset.Open(Rasters.Sentinel2);
        Assert.That(s2.Band(1).MaskFlags, Is.EqualTo(MaskFlags.AllValid));
        Assert.That(s2.MetadataDomains, Does.Contain("xml:gml.root-instance"));
        Assert.That(s2.Metadata("xml:gml.root-instance")["xml"], Does.Contain("gml:FeatureCollection").Or.Contain("FeatureCollection"));
    }

    [Test]
    public void Pixel_reads_match_gdallocationinfo()
    {
        using var ds = RasterDataset.Open(Rasters.Naip2009);
        var pixels = ds.ReadPixels(new PixelWindow(100, 200, 4, 3), [1, 2, 3, 4], 4, 3, Resampling.Nearest);
        var expected = Rasters.PixelValues(Rasters.Naip2009, 102, 201);
        var plane = 4 * 3;
        var at = 1 * 4 + 2;
        Assert.That(Enumerable.Range(0, 4).Select(b => (double)pixels[b * plane + at]), Is.EqualTo(expected));
    }

    [Test]
    public void Transform_to_wgs84_matches_gdaltransform()
    {
        using var ds = RasterDataset.Open(Rasters.Bahamas);
        using var ct = ds.CreateTransformToWgs84();
        var (lon, lat) = ct.Transform(101985, 2826915);
        var reference = Rasters.GdalTransformPixels(Rasters.Bahamas, [(0, 0)])[0];
        Assert.That(lon, Is.EqualTo(reference.Lon).Within(1e-9));
        Assert.That(lat, Is.EqualTo(reference.Lat).Within(1e-9));

        using var byCode = CoordinateTransform.ToWgs84("EPSG:32618");
        var again = byCode.Transform(101985, 2826915);
        Assert.That(again.Lon, Is.EqualTo(lon).Within(1e-12));
        Assert.That(() => CoordinateTransform.ToWgs84("EPSG:999999"), Throws.InstanceOf<InputException>());
    }

    [Test]
    public void Opens_an_in_memory_upload_with_the_same_pixels_and_hash_as_the_file()
    {
        var bytes = File.ReadAllBytes(Rasters.Colorado);
        using var mem = RasterDataset.Open(bytes, "upload.tif");
        using var file = RasterDataset.Open(Rasters.Colorado);
        Assert.That(mem.IsInMemory, Is.True);
        Assert.That(mem.Path, Is.EqualTo("upload.tif"));
        Assert.That(mem.ComputeSha256(), Is.EqualTo(file.ComputeSha256()));
        var window = new PixelWindow(10, 20, 50, 40);
        Assert.That(mem.ReadPixels(window, [1, 2, 3], 25, 20), Is.EqualTo(file.ReadPixels(window, [1, 2, 3], 25, 20)));
        Assert.That(mem.EpsgCode, Is.EqualTo(26913));
    }

    [Test]
    public void Sha256_matches_sha256sum()
    {
        using var ds = RasterDataset.Open(Rasters.Pucallpa1985);
        var expected = Rasters.Run("sha256sum", $"\"{Rasters.Pucallpa1985}\"").Split(' ')[0];
        Assert.That(ds.ComputeSha256(), Is.EqualTo(expected));
    }

    [Test]
    public void Describe_gives_the_scene_row()
    {
        using var ds = RasterDataset.Open(Rasters.Sentinel2);
        var scene = ds.Describe();
        var corners = Rasters.GdalinfoWgs84Corners(Rasters.Sentinel2);
        Assert.Multiple(() =>
        {
            Assert.That(scene.Uri, Is.EqualTo(Path.GetFullPath(Rasters.Sentinel2)));
            Assert.That(scene.Sha256, Has.Length.EqualTo(64));
            Assert.That(scene.Crs, Is.EqualTo("EPSG:32629"));
            Assert.That(scene.AcquiredAt, Is.EqualTo(new DateTimeOffset(2022, 10, 5, 11, 54, 11, TimeSpan.Zero)));
            Assert.That(scene.AcquiredSource, Is.EqualTo(AcquisitionSource.FileName));
            Assert.That((scene.Width, scene.Height, scene.Bands), Is.EqualTo((1830, 1830, 3)));
            Assert.That(scene.Footprint!.SRID, Is.EqualTo(4326));
            Assert.That(scene.Footprint.Shell.IsCCW, Is.True);
            Assert.That(scene.Footprint.IsValid, Is.True);
            for (var i = 0; i < 4; i++)
            {
                var c = scene.Footprint.Shell.Coordinates[i * FootprintBuilder.DefaultSegmentsPerEdge];
                Assert.That(c.X, Is.EqualTo(corners[i].Lon).Within(1e-6));
                Assert.That(c.Y, Is.EqualTo(corners[i].Lat).Within(1e-6));
            }
        });
    }
}
