using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using RsGeoSearch.Core;

namespace RsGeoSearch.Raster;

/// <summary>
/// Footprints of pixel windows of one georeferenced raster: the window outline (pixel edges, densified with
/// <see cref="SegmentsPerEdge"/> segments per side) through the geotransform into the native CRS, and through
/// OSR/OCT into EPSG:4326. Rings are counter-clockwise and start at the upper-left corner
/// (upper-left, lower-left, lower-right, upper-right), so vertex k * SegmentsPerEdge is corner k.
/// Not thread-safe.
/// </summary>
public sealed class FootprintBuilder : IDisposable
{
    public const int DefaultSegmentsPerEdge = 8;

    private static readonly GeometryFactory Wgs84Factory = new(new PrecisionModel(), 4326);
    private readonly GeometryFactory nativeFactory;
    private readonly GeoTransform geoTransform;
    private readonly CoordinateTransform transform;

    public FootprintBuilder(RasterDataset dataset, int segmentsPerEdge = DefaultSegmentsPerEdge)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentsPerEdge, 1);
        if (dataset.GeoTransform is not { } gt || !dataset.IsGeoreferenced)
            throw new RasterException(dataset.Path, "the raster has no georeferencing (geotransform and CRS), so chips have no map footprint");
        geoTransform = gt;
        SegmentsPerEdge = segmentsPerEdge;
        nativeFactory = new GeometryFactory(new PrecisionModel(), dataset.EpsgCode ?? 0);
        transform = dataset.CreateTransformToWgs84();
    }

    public int SegmentsPerEdge { get; }

    /// <summary>The window's outline in the raster's CRS (SRID = EPSG code, or 0 when unknown).</summary>
    public Polygon Native(PixelWindow window) => Native(window.X, window.Y, window.Width, window.Height);

    public Polygon Native(double x, double y, double width, double height)
    {
        var (xs, ys) = Outline(x, y, width, height);
        return MakePolygon(nativeFactory, xs, ys);
    }

    /// <summary>The window's outline in EPSG:4326 (x = longitude, y = latitude, SRID 4326).</summary>
    public Polygon Wgs84(PixelWindow window) => Wgs84(window.X, window.Y, window.Width, window.Height);

    public Polygon Wgs84(double x, double y, double width, double height)
    {
        var (xs, ys) = Outline(x, y, width, height);
        transform.Transform(xs, ys);
        return MakePolygon(Wgs84Factory, xs, ys);
    }

    private (double[] Xs, double[] Ys) Outline(double x, double y, double width, double height)
    {
        var n = SegmentsPerEdge;
        var xs = new double[4 * n + 1];
        var ys = new double[4 * n + 1];
        // Pixel-space corners, counter-clockwise on a north-up map: UL, LL, LR, UR.
        Span<(double Px, double Py)> corners = [(x, y), (x, y + height), (x + width, y + height), (x + width, y)];
        var k = 0;
        for (var side = 0; side < 4; side++)
        {
            var (ax, ay) = corners[side];
            var (bx, by) = corners[(side + 1) % 4];
            for (var i = 0; i < n; i++, k++)
            {
                var t = (double)i / n;
                (xs[k], ys[k]) = geoTransform.Apply(ax + (bx - ax) * t, ay + (by - ay) * t);
            }
        }
        xs[k] = xs[0];
        ys[k] = ys[0];
        return (xs, ys);
    }

    private static Polygon MakePolygon(GeometryFactory factory, double[] xs, double[] ys)
    {
        var coords = new Coordinate[xs.Length];
        for (var i = 0; i < xs.Length; i++) coords[i] = new Coordinate(xs[i], ys[i]);
        coords[^1] = coords[0].Copy();
        if (!Orientation.IsCCW(coords))
        {
            // South-up or mirrored rasters: keep the first vertex, reverse the direction.
            Array.Reverse(coords, 1, coords.Length - 2);
        }
        return factory.CreatePolygon(coords);
    }

    public void Dispose() => transform.Dispose();
}
