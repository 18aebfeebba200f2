using System.Globalization;
using RsGeoSearch.Core;

namespace RsGeoSearch.Raster;

/// <summary>
/// Which source bands (1-based) become the red, green and blue channels of a chip. A single band ("1") is a
/// grey image (the band is repeated in all three channels).
/// </summary>
public sealed record BandMapping(int Red, int Green, int Blue)
{
    /// <summary>Band 1 as grey.</summary>
    public static BandMapping Gray(int band) => new(band, band, band);

    public bool IsGray => Red == Green && Green == Blue;

    public IReadOnlyList<int> Channels => [Red, Green, Blue];

    /// <summary>Parses "3,2,1" (red, green, blue) or "1" (grey); throws <see cref="InputException"/> on bad input.</summary>
    public static BandMapping Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1)
                throw new InputException($"bands '{text}': '{parts[i]}' is not a band number (bands are numbered from 1)");
        }
        return values.Length switch
        {
            1 => Gray(values[0]),
            3 => new BandMapping(values[0], values[1], values[2]),
            _ => throw new InputException($"bands '{text}' must name 3 bands (red,green,blue, e.g. 3,2,1) or 1 band (grey)"),
        };
    }

    /// <summary>Checks that every band exists in <paramref name="dataset"/> and has a pixel type the tiler can read.</summary>
    public BandMapping ValidatedFor(RasterDataset dataset)
    {
        foreach (var b in Channels)
        {
            if (b > dataset.BandCount)
                throw new RasterException(dataset.Path, $"band {b} was asked for (bands {this}) but the raster has {dataset.BandCount} band(s)");
            var band = dataset.Band(b);
            if (!band.IsSupportedType)
                throw new RasterException(dataset.Path, $"band {b} has the unsupported pixel type {band.DataType} (complex numbers cannot be shown as an image)");
        }
        return this;
    }

    /// <summary>
    /// The default for a raster: the bands whose colour interpretation is red, green and blue when all three are
    /// present; otherwise the first three bands that are not alpha (NAIP's R,G,B,NIR gives 1,2,3; the Landsat
    /// SWIR1,NIR,Red,Green series gives 1,2,3, the common SWIR-NIR-red false colour in which vegetation is green);
    /// a raster with one or two non-alpha bands is grey from its first band. Palette rasters are refused
    /// (expand them first: gdal_translate -expand rgb).
    /// </summary>
    public static BandMapping Default(RasterDataset dataset)
    {
        int? Find(ColorInterpretation ci) => dataset.Bands.FirstOrDefault(b => b.ColorInterpretation == ci)?.Index;
        if (Find(ColorInterpretation.Red) is { } r && Find(ColorInterpretation.Green) is { } g && Find(ColorInterpretation.Blue) is { } b)
            return new BandMapping(r, g, b).ValidatedFor(dataset);
        if (dataset.Bands.Any(x => x.ColorInterpretation == ColorInterpretation.Palette))
            throw new RasterException(dataset.Path, "palette (colour-table) rasters are not supported; expand them to RGB first (gdal_translate -expand rgb)");
        var data = dataset.Bands.Where(x => x.ColorInterpretation != ColorInterpretation.Alpha).Select(x => x.Index).ToList();
        if (data.Count == 0) throw new RasterException(dataset.Path, "the raster has only alpha bands");
        var mapping = data.Count >= 3 ? new BandMapping(data[0], data[1], data[2]) : Gray(data[0]);
        return mapping.ValidatedFor(dataset);
    }

    public override string ToString() => IsGray
        ? Red.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Red},{Green},{Blue}");
}
