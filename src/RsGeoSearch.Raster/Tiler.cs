using NetTopologySuite.Geometries;
using RsGeoSearch.Core;

namespace RsGeoSearch.Raster;

/// <summary>
/// Cuts one raster into chips: a grid of <see cref="TilerOptions.ChipSize"/> chips per pyramid level, each with its
/// source pixel window (clipped to the raster), footprint in EPSG:4326, nodata fraction, and pixels read at the
/// encoder's input size as float32 CHW in [0, 1]. Chips with too much nodata are skipped. Not thread-safe (one
/// tiler per dataset per thread). The dataset stays owned by the caller.
/// </summary>
public sealed class Tiler : IDisposable
{
    private readonly ChipRenderer renderer;
    private readonly FootprintBuilder? footprints;

    public Tiler(RasterDataset dataset, TilerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        Dataset = dataset;
        Options = (options ?? new TilerOptions()).Validated();
        if (!dataset.IsGeoreferenced && !Options.AllowUngeoreferenced)
            throw new RasterException(dataset.Path,
                $"the raster has no georeferencing ({(dataset.GeoTransform is null ? "no geotransform" : "no coordinate reference system")}), " +
                "so its chips cannot be placed on the map; add a world file / CRS or ground control points, or allow ungeoreferenced input (--allow-ungeoreferenced)");
        var bands = Options.Bands ?? BandMapping.Default(dataset);
        renderer = new ChipRenderer(dataset, bands, Options.Stretch, Options.StretchLowPercent, Options.StretchHighPercent,
            Options.Resampling, Options.ZeroIsNodataWhenUndeclared);
        if (dataset.IsGeoreferenced) footprints = new FootprintBuilder(dataset, Options.FootprintSegmentsPerEdge);
    }

    public RasterDataset Dataset { get; }
    public TilerOptions Options { get; }

    /// <summary>The band mapping in use (the option, or the raster's default).</summary>
    public BandMapping Bands => renderer.Bands;

    /// <summary>Per output channel (R, G, B): value v becomes clamp((v - Low) * Scale, 0, 1).</summary>
    public IReadOnlyList<(float Low, float Scale)> Stretch => renderer.Stretch;

    /// <summary>Footprints of this raster's windows; null without georeferencing.</summary>
    public FootprintBuilder? Footprints => footprints;

    /// <summary>Source pixels one chip side covers at <paramref name="level"/>.</summary>
    public int Span(int level) => Options.ChipSize << level;

    private int Step(int level) => Options.EffectiveStride << level;

    /// <summary>Number of chip columns and rows at <paramref name="level"/> (before nodata skipping).</summary>
    public (int Cols, int Rows) GridSize(int level) => (Count(Dataset.Width, level), Count(Dataset.Height, level));

    private int Count(int size, int level)
    {
        int span = Span(level), step = Step(level);
        if (Options.Edges == EdgeMode.Skip) return size < span ? 0 : (size - span) / step + 1;
        return size <= span ? 1 : (size - span + step - 1) / step + 1;
    }

    /// <summary>The chip's window in full-resolution source pixels, clipped to the raster.</summary>
    public PixelWindow Window(int level, int col, int row)
    {
        var (cols, rows) = GridSize(level);
        if (col < 0 || row < 0 || col >= cols || row >= rows)
            throw new InputException($"chip {level}/{col}/{row} is outside the {cols}x{rows} grid of level {level} of {Dataset.Path}");
        int span = Span(level), step = Step(level);
        int x = col * step, y = row * step;
        return new PixelWindow(x, y, Math.Min(span, Dataset.Width - x), Math.Min(span, Dataset.Height - y));
    }

    /// <summary>The footprint of a window in the raster's native CRS; null without georeferencing.</summary>
    public Polygon? NativeFootprint(PixelWindow window) => footprints?.Native(window);

    /// <summary>Every chip of every level whose nodata fraction is at most <see cref="TilerOptions.MaxNodataFraction"/>.</summary>
    public IEnumerable<Chip> Chips(CancellationToken cancellationToken = default)
    {
        foreach (var level in Options.Levels)
        {
            var (cols, rows) = GridSize(level);
            for (var row = 0; row < rows; row++)
            for (var col = 0; col < cols; col++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chip = Read(level, col, row, Options.MaxNodataFraction);
                if (chip is not null) yield return chip;
            }
        }
    }

    /// <summary>
    /// One grid cell as a chip, or null when its nodata fraction exceeds <see cref="TilerOptions.MaxNodataFraction"/>
    /// (what <see cref="Chips"/> yields, one cell at a time, for resumable runs).
    /// </summary>
    public Chip? TryRead(int level, int col, int row) => Read(level, col, row, Options.MaxNodataFraction);

    /// <summary>One chip regardless of its nodata fraction (e.g. to re-embed or show a stored chip).</summary>
    public Chip ReadChip(int level, int col, int row) => Read(level, col, row, 1.0)!;

    private Chip? Read(int level, int col, int row, double maxNodata)
    {
        var window = Window(level, col, row);
        var span = Span(level);
        var output = Options.EffectiveOutputSize;
        var validW = ChipRenderer.Covered(window.Width, span, output);
        var validH = ChipRenderer.Covered(window.Height, span, output);
        var chw = Options.ReadPixels ? new float[3 * output * output] : null;
        var fraction = renderer.Render(window.X, window.Y, window.Width, window.Height, validW, validH, output, output, chw, null, maxNodata);
        if (fraction > maxNodata) return null;
        var footprint = footprints?.Wgs84(window);
        return new Chip(level, col, row, window, footprint, fraction, chw is null ? null : new ChipImage(chw, output, output));
    }

    public void Dispose() => footprints?.Dispose();
}
