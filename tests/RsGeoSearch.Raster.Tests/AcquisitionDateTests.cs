using RsGeoSearch.Core;

namespace RsGeoSearch.Raster.Tests;

public class AcquisitionDateTests
{
    private static DateTimeOffset Utc(int y, int m, int d, int h = 0, int min = 0, int s = 0) => new(y, m, d, h, min, s, TimeSpan.Zero);

    [Test]
    public void Every_shared_raster_with_a_date_gets_it_and_the_others_get_none()
    {
        var expected = new Dictionary<string, (DateTimeOffset, AcquisitionPrecision)?>
        {
            ["m_4709963_se_14_1_20090818.tif"] = (Utc(2009, 8, 18), AcquisitionPrecision.Day),
            ["m_4709963_se_14_1_20100629.tif"] = (Utc(2010, 6, 29), AcquisitionPrecision.Day),
            ["m_4709963_se_14_1_20120731.tif"] = (Utc(2012, 7, 31), AcquisitionPrecision.Day),
            ["m_4709963_se_14_1_20140720.tif"] = (Utc(2014, 7, 20), AcquisitionPrecision.Day),
            ["m_4709963_se_14_1_20150926.tif"] = (Utc(2015, 9, 26), AcquisitionPrecision.Day),
            ["m_4709963_se_14_1_20160816.tif"] = (Utc(2016, 8, 16), AcquisitionPrecision.Day),
            ["m_4709963_se_14_1_20170827.tif"] = (Utc(2017, 8, 27), AcquisitionPrecision.Day),
            ["m_4709963_se_14_1_20180716.tif"] = (Utc(2018, 7, 16), AcquisitionPrecision.Day),
            ["m_4709963_se_14_1_20190904.tif"] = (Utc(2019, 9, 4), AcquisitionPrecision.Day),
            ["m_4709963_se_14_1_20200831.tif"] = (Utc(2020, 8, 31), AcquisitionPrecision.Day),
            ["1985.tif"] = (Utc(1985, 1, 1), AcquisitionPrecision.Year),
            ["1990.tif"] = (Utc(1990, 1, 1), AcquisitionPrecision.Year),
            ["1995.tif"] = (Utc(1995, 1, 1), AcquisitionPrecision.Year),
            ["2000.tif"] = (Utc(2000, 1, 1), AcquisitionPrecision.Year),
            ["2005.tif"] = (Utc(2005, 1, 1), AcquisitionPrecision.Year),
            ["2010.tif"] = (Utc(2010, 1, 1), AcquisitionPrecision.Year),
            ["2015.tif"] = (Utc(2015, 1, 1), AcquisitionPrecision.Year),
            ["2020.tif"] = (Utc(2020, 1, 1), AcquisitionPrecision.Year),
            ["T29UNU_20221005T115411_TCI_60m.jp2"] = (Utc(2022, 10, 5, 11, 54, 11), AcquisitionPrecision.Second),
            ["201404_13SED190110_201404_0x1500m_CL_1.tif"] = (Utc(2014, 4, 1), AcquisitionPrecision.Month),
            ["1056417_2017-03-08_RE3_3A_Visual_clip.tif"] = (Utc(2017, 3, 8), AcquisitionPrecision.Day),
            ["RGB.byte.tif"] = null,
            ["sample_geotiff.tif"] = null,
            ["pix4d_alpha_nodata.tif"] = null,
        };
        var files = Rasters.All().ToList();
        Assert.That(files.Select(Path.GetFileName), Is.EquivalentTo(expected.Keys));
        foreach (var file in files)
        {
            using var ds = RasterDataset.Open(file);
            var t = AcquisitionDateParser.Resolve(ds);
            var want = expected[Path.GetFileName(file)];
            if (want is null)
            {
                Assert.That(t, Is.Null, file);
                Assert.That(ds.Describe().AcquiredSource, Is.EqualTo(AcquisitionSource.Unknown));
                continue;
            }
            Assert.That(t, Is.Not.Null, file);
            Assert.That((t!.Value, t.Precision, t.Source), Is.EqualTo((want.Value.Item1, want.Value.Item2, AcquisitionSource.FileName)), file);
            Assert.That(ds.Describe().AcquiredAt, Is.EqualTo(want.Value.Item1), file);
        }
    }

    [Test]
    public void An_explicit_value_wins_and_is_recorded()
    {
        using var ds = RasterDataset.Open(Rasters.Naip2009);
        var t = AcquisitionDateParser.Resolve(ds, Utc(2001, 2, 3, 4, 5, 6))!;
        Assert.That((t.Value, t.Source, t.Precision), Is.EqualTo((Utc(2001, 2, 3, 4, 5, 6), AcquisitionSource.Explicit, AcquisitionPrecision.Second)));
        Assert.That(ds.Describe(Utc(2001, 2, 3)).AcquiredSource, Is.EqualTo(AcquisitionSource.Explicit));
        Assert.That(AcquisitionDateParser.ParseExplicit("2014-04").Period,
            Is.EqualTo(new TimeRange(Utc(2014, 4, 1), Utc(2014, 5, 1).AddTicks(-1))));
        Assert.That(AcquisitionDateParser.ParseExplicit("1985").Precision, Is.EqualTo(AcquisitionPrecision.Year));
        Assert.That(() => AcquisitionDateParser.ParseExplicit("last summer"), Throws.InstanceOf<InputException>());
    }

    [TestCase("2019:07:01 10:20:30", "2019-07-01T10:20:30Z", AcquisitionPrecision.Second)]
    [TestCase("2022-10-05T11:54:11.024Z", "2022-10-05T11:54:11.024Z", AcquisitionPrecision.Second)]
    [TestCase("2022-10-05T13:54:11+02:00", "2022-10-05T11:54:11Z", AcquisitionPrecision.Second)]
    [TestCase("2014-04-12", "2014-04-12T00:00:00Z", AcquisitionPrecision.Day)]
    [TestCase("20221005T115411", "2022-10-05T11:54:11Z", AcquisitionPrecision.Second)]
    public void Metadata_values_parse(string value, string expected, AcquisitionPrecision precision)
    {
        var t = AcquisitionDateParser.ParseValue(value)!;
        Assert.That(t.Value, Is.EqualTo(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(t.Precision, Is.EqualTo(precision));
    }

    [TestCase("2019:13:01 10:20:30")]
    [TestCase("not a date")]
    [TestCase("12345")]
    public void Non_dates_do_not_parse(string value) => Assert.That(AcquisitionDateParser.ParseValue(value), Is.Null);

    [TestCase("S2A_MSIL2A_20221005T115411_N0400_R023_T29UNU_20221005T160623.SAFE", 2022, 10, 5)]
    [TestCase("LC08_L1TP_042034_20130411_20170310_01_T1.tif", 2013, 4, 11)]
    [TestCase("scene_2020_08_31.tif", 2020, 8, 31)]
    [TestCase("IMG_1500.jpg", null, null, null)]
    [TestCase("airport_100.jpg", null, null, null)]
    [TestCase("tile_0x1500m.tif", null, null, null)]
    public void File_names(string name, int? y, int? m, int? d)
    {
        var t = AcquisitionDateParser.FromFileName(name);
        if (y is null) Assert.That(t, Is.Null);
        else Assert.That(t!.Value.Date, Is.EqualTo(new DateTime(y.Value, m!.Value, d!.Value)));
    }

    [Test]
    public void Reads_tiff_datetime_and_the_imagery_domain_from_real_files()
    {
        var dir = Directory.CreateTempSubdirectory("rsgeo-dates-");
        try
        {
            // TIFFTAG_DATETIME written by gdal_translate; no date in the file name.
            var tif = Path.Combine(dir.FullName, "copy.tif");
            Rasters.Run("gdal_translate", $"-q -srcwin 0 0 64 64 -mo \"TIFFTAG_DATETIME=2019:07:01 10:20:30\" \"{Rasters.Bahamas}\" \"{tif}\"");
            using (var ds = RasterDataset.Open(tif))
            {
                var t = AcquisitionDateParser.Resolve(ds)!;
                Assert.That((t.Value, t.Source), Is.EqualTo((Utc(2019, 7, 1, 10, 20, 30), AcquisitionSource.Metadata)));
                Assert.That(t.Evidence, Does.Contain("TIFFTAG_DATETIME"));
            }

            // IMAGERY:ACQUISITIONDATETIME in a VRT, which beats both the file name and TIFFTAG_DATETIME.
            var vrt = Path.Combine(dir.FullName, "20000101.vrt");
            Rasters.Run("gdal_translate", $"-q -of VRT \"{tif}\" \"{vrt}\"");
            var xml = File.ReadAllText(vrt);
            var firstBand = xml.IndexOf("<VRTRasterBand", StringComparison.Ordinal);
            File.WriteAllText(vrt, xml.Insert(firstBand,
                "<Metadata domain=\"IMAGERY\"><MDI key=\"ACQUISITIONDATETIME\">2021-06-01T10:11:12Z</MDI></Metadata>\n  "));
            using (var ds = RasterDataset.Open(vrt))
            {
                Assert.That(ds.Metadata("IMAGERY")["ACQUISITIONDATETIME"], Is.EqualTo("2021-06-01T10:11:12Z"));
                var t = AcquisitionDateParser.Resolve(ds)!;
                Assert.That((t.Value, t.Source), Is.EqualTo((Utc(2021, 6, 1, 10, 11, 12), AcquisitionSource.Metadata)));
                Assert.That(t.Evidence, Does.StartWith("IMAGERY:ACQUISITIONDATETIME"));
            }
        }
        finally { dir.Delete(true); }
    }
}
