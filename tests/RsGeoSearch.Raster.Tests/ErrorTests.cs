using RsGeoSearch.Core;

namespace RsGeoSearch.Raster.Tests;

public class ErrorTests
{
    private DirectoryInfo temp = null!;

    [SetUp]
    public void CreateTemp() => temp = Directory.CreateTempSubdirectory("rsgeo-raster-");

    [TearDown]
    public void DeleteTemp() => temp.Delete(true);

    [Test]
    public void A_truncated_geotiff_gives_an_error_naming_the_file_and_gdals_message()
    {
        foreach (var (source, keep) in new[] { (Rasters.Bahamas, 0.5), (Rasters.Naip2009, 0.5), (Rasters.Naip2009, 0.002) })
        {
            var path = Path.Combine(temp.FullName, $"truncated-{keep}-{Path.GetFileName(source)}");
            var bytes = File.ReadAllBytes(source);
            File.WriteAllBytes(path, bytes.AsSpan(0, (int)(bytes.Length * keep)).ToArray());
            var ex = Assert.Throws<RasterException>(() =>
            {
                using var ds = RasterDataset.Open(path);
                using var tiler = new Tiler(ds, new TilerOptions { MaxNodataFraction = 1 });
                foreach (var _ in tiler.Chips()) { }
            })!;
            Assert.That(ex.File, Is.EqualTo(path));
            Assert.That(ex.Message, Does.StartWith(path + ": "));
            Assert.That(ex.Problem, Does.Match("TIFF|Read|read|failed|IReadBlock").IgnoreCase, ex.Message);
            TestContext.Out.WriteLine(ex.Message);
        }
    }

    [Test]
    public void Missing_non_raster_and_folder_inputs_are_refused_clearly()
    {
        var text = Path.Combine(temp.FullName, "notes.tif");
        File.WriteAllText(text, "this is not a TIFF");
        Assert.That(() => RasterDataset.Open(text), Throws.InstanceOf<RasterException>()
            .With.Message.StartsWith(text + ": GDAL cannot open it as a raster"));
        var missing = Path.Combine(temp.FullName, "missing.tif");
        Assert.That(() => RasterDataset.Open(missing), Throws.InstanceOf<RasterException>().With.Message.EqualTo(missing + ": file not found"));
        Assert.That(() => RasterDataset.Open(temp.FullName), Throws.InstanceOf<RasterException>().With.Message.Contains("is a folder"));
    }

    [Test]
    public void A_raster_without_a_crs_is_refused_by_the_tiler()
    {
        // A PNG with a world file (geotransform) but no CRS: GDAL's .aux.xml sidecar, which would hold it, is removed.
        var path = Path.Combine(temp.FullName, "nocrs.png");
        Rasters.Run("gdal_translate", $"-q -of PNG -co WORLDFILE=YES -srcwin 0 0 300 300 \"{Rasters.Bahamas}\" \"{path}\"");
        File.Delete(path + ".aux.xml");
        Assert.That(File.Exists(Path.ChangeExtension(path, ".wld")), Is.True);
        using var ds = RasterDataset.Open(path);
        Assert.That(ds.GeoTransform, Is.Not.Null);
        Assert.That(ds.IsGeoreferenced, Is.False);
        Assert.That(() => new Tiler(ds), Throws.InstanceOf<RasterException>().With.Message.Contains("no coordinate reference system"));
    }

    [Test]
    public void Complex_pixels_are_refused()
    {
        var path = Path.Combine(temp.FullName, "complex.tif");
        Rasters.Run("gdal_translate", $"-q -ot CFloat32 -srcwin 0 0 64 64 \"{Rasters.Bahamas}\" \"{path}\"");
        using var ds = RasterDataset.Open(path);
        Assert.That(() => new Tiler(ds), Throws.InstanceOf<RasterException>().With.Message.Contains("unsupported pixel type CFloat32"));
    }

    [Test]
    public void Using_a_disposed_dataset_throws()
    {
        var ds = RasterDataset.Open(Rasters.Colorado);
        ds.Dispose();
        ds.Dispose();
        Assert.That(() => ds.ReadPixels(new PixelWindow(0, 0, 8, 8), [1], 8, 8), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void In_a_folder_run_each_bad_file_fails_on_its_own()
    {
        File.Copy(Rasters.Colorado, Path.Combine(temp.FullName, "a.tif"));
        File.WriteAllText(Path.Combine(temp.FullName, "b.tif"), "broken");
        var failures = new List<string>();
        var chips = 0;
        foreach (var f in Directory.GetFiles(temp.FullName, "*.tif").Order(StringComparer.Ordinal))
        {
            try
            {
                using var ds = RasterDataset.Open(f);
                using var tiler = new Tiler(ds);
                chips += tiler.Chips().Count();
            }
            catch (RasterException e) { failures.Add(e.File); }
        }
        Assert.That(chips, Is.EqualTo(1));
        Assert.That(failures, Is.EqualTo(new[] { Path.Combine(temp.FullName, "b.tif") }));
    }
}
