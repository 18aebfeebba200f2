using RsGeoSearch.Core;

namespace RsGeoSearch.Raster;

/// <summary>How a raster is cut into chips. Defaults: 256 px chips, no overlap, level 0 only, output 256 px.</summary>
public sealed record TilerOptions
{
    /// <summary>Chip side in pixels of the pyramid level (at level n a chip covers ChipSize * 2^n source pixels).</summary>
    public int ChipSize { get; init; } = 256;

    /// <summary>Step between chips in pixels of the level; null = <see cref="ChipSize"/> (no overlap).</summary>
    public int? Stride { get; init; }

    /// <summary>Pyramid levels: 0 = full resolution, n = downsampled 2^n (e.g. [0, 1, 2] for 1x, 2x, 4x).</summary>
    public IReadOnlyList<int> Levels { get; init; } = [0];

    /// <summary>Side of the chip image handed to the encoder (e.g. 224); null = <see cref="ChipSize"/>. GDAL resamples while reading.</summary>
    public int? OutputSize { get; init; }

    /// <summary>Resampling used when the source window and the output size differ.</summary>
    public Resampling Resampling { get; init; } = Resampling.Bilinear;

    /// <summary>Chips with a larger share of nodata (nodata value, mask, alpha, or padding) are skipped.</summary>
    public double MaxNodataFraction { get; init; } = 0.5;

    public EdgeMode Edges { get; init; } = EdgeMode.Pad;

    /// <summary>Source bands for red, green, blue; null = <see cref="BandMapping.Default"/>.</summary>
    public BandMapping? Bands { get; init; }

    public StretchMode Stretch { get; init; } = StretchMode.Auto;
    public double StretchLowPercent { get; init; } = 2;
    public double StretchHighPercent { get; init; } = 98;

    /// <summary>
    /// For rasters that declare no nodata value, mask or alpha: count pixels that are 0 in every mapped band as
    /// nodata (the black fill of Sentinel-2 and Landsat scene edges).
    /// </summary>
    public bool ZeroIsNodataWhenUndeclared { get; init; } = true;

    /// <summary>Tile rasters without georeferencing (chips get pixel windows but no footprint) instead of refusing them.</summary>
    public bool AllowUngeoreferenced { get; init; }

    /// <summary>Read chip pixels (false: only windows, footprints and nodata fractions).</summary>
    public bool ReadPixels { get; init; } = true;

    /// <summary>Vertices added per chip side when footprints are transformed, so curved edges stay accurate.</summary>
    public int FootprintSegmentsPerEdge { get; init; } = FootprintBuilder.DefaultSegmentsPerEdge;

    public int EffectiveStride => Stride ?? ChipSize;
    public int EffectiveOutputSize => OutputSize ?? ChipSize;

    /// <summary>Throws <see cref="InputException"/> when a value is out of range.</summary>
    public TilerOptions Validated()
    {
        if (ChipSize is < 8 or > 16384) throw new InputException($"chip size {ChipSize} must be between 8 and 16384 pixels");
        if (EffectiveStride < 1 || EffectiveStride > 16384) throw new InputException($"stride {EffectiveStride} must be between 1 and 16384 pixels");
        if (EffectiveOutputSize is < 8 or > 4096) throw new InputException($"output size {EffectiveOutputSize} must be between 8 and 4096 pixels");
        if (Levels.Count == 0) throw new InputException("at least one pyramid level is needed (0 = full resolution)");
        if (Levels.Any(l => l is < 0 or > 12)) throw new InputException($"levels {string.Join(',', Levels)} must be between 0 and 12");
        if (Levels.Distinct().Count() != Levels.Count) throw new InputException($"levels {string.Join(',', Levels)} repeat a level");
        if (!(MaxNodataFraction is >= 0 and <= 1)) throw new InputException($"max nodata fraction {MaxNodataFraction} must be between 0 and 1");
        if (!(StretchLowPercent >= 0 && StretchLowPercent < StretchHighPercent && StretchHighPercent <= 100))
            throw new InputException($"stretch percentiles {StretchLowPercent}..{StretchHighPercent} must satisfy 0 <= low < high <= 100");
        if (FootprintSegmentsPerEdge is < 1 or > 1000) throw new InputException($"footprint segments per edge {FootprintSegmentsPerEdge} must be between 1 and 1000");
        return this;
    }
}
