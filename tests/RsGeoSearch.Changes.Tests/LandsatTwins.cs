using RsGeoSearch.Core;

namespace RsGeoSearch.Changes.Tests;

/// <summary>
/// One Landsat scene (EPSG:4326, nodata 0) copied with other compression options (identical pixels, another content
/// hash) onto two dates, 2031-03-01 and 2032-03-01, and cropped by 8 pixels (another grid) onto 2033-03-01; tiny
/// CLIP embeddings of 64 px chips. Ingested once per test run.
/// </summary>
public static class LandsatTwins
{
    private static readonly Lazy<Task<(BoundingBox Box, long ChipsPerScene)>> Ingested = new(IngestAsync);

    public static Task<(BoundingBox Box, long ChipsPerScene)> GetAsync() => Ingested.Value;

    private static async Task<(BoundingBox, long)> IngestAsync()
    {
        var source = SharedData.Path("rasters", "landsat-pucallpa", "2000.tif");
        var dir = Path.Combine(ChangeTestBed.Root, "landsat");
        Directory.CreateDirectory(dir);
        var deflate = Path.Combine(dir, "same-deflate.tif");
        var lzw = Path.Combine(dir, "same-lzw.tif");
        var shifted = Path.Combine(dir, "shifted.tif");
        ChangeTestBed.GdalTranslate("-co", "COMPRESS=DEFLATE", source, deflate);
        ChangeTestBed.GdalTranslate("-co", "COMPRESS=LZW", source, lzw);
        ChangeTestBed.GdalTranslate("-srcwin", "8", "8", "689", "369", source, shifted);
        var a = await ChangeTestBed.IngestAsync(ChangeTestBed.TinyClip, [deflate], ChangeTestBed.Day(2031, 3, 1));
        var b = await ChangeTestBed.IngestAsync(ChangeTestBed.TinyClip, [lzw], ChangeTestBed.Day(2032, 3, 1));
        await ChangeTestBed.IngestAsync(ChangeTestBed.TinyClip, [shifted], ChangeTestBed.Day(2033, 3, 1));
        Assert.That(b.ChipsWritten, Is.EqualTo(a.ChipsWritten), "identical pixels give the same chips");
        using var dataset = Raster.RasterDataset.Open(source);
        var env = dataset.Describe().Footprint!.EnvelopeInternal;
        return (new BoundingBox(env.MinX, env.MinY, env.MaxX, env.MaxY), a.ChipsWritten);
    }
}
