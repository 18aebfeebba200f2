using RsGeoSearch.Inference;
using RsGeoSearch.Raster;

namespace RsGeoSearch.TestSupport;

/// <summary>How many chips the tiler cuts from files (what an ingest must store), counted without reading pixels.</summary>
public static class ExpectedChips
{
    public static long Count(IEnumerable<string> files, Model model, int chipSize = 256, params int[] levels)
    {
        long total = 0;
        foreach (var file in files)
        {
            using var dataset = RasterDataset.Open(file);
            using var tiler = new Tiler(dataset, new TilerOptions
            {
                ChipSize = chipSize, Levels = levels.Length > 0 ? levels : [0], OutputSize = model.Preprocessing.Size, ReadPixels = false,
            });
            total += tiler.Chips().LongCount();
        }
        return total;
    }
}
