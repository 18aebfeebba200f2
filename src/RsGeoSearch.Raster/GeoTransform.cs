namespace RsGeoSearch.Raster;

/// <summary>
/// GDAL's affine geotransform from pixel/line to the raster's CRS:
/// X = OriginX + px * PixelWidth + py * RowRotation; Y = OriginY + px * ColumnRotation + py * PixelHeight.
/// </summary>
public readonly record struct GeoTransform(
    double OriginX, double PixelWidth, double RowRotation,
    double OriginY, double ColumnRotation, double PixelHeight)
{
    public static GeoTransform FromGdal(ReadOnlySpan<double> gt) => new(gt[0], gt[1], gt[2], gt[3], gt[4], gt[5]);

    /// <summary>The CRS coordinates of pixel position (px, py); (0,0) is the outer corner of the upper-left pixel.</summary>
    public (double X, double Y) Apply(double px, double py) =>
        (OriginX + px * PixelWidth + py * RowRotation, OriginY + px * ColumnRotation + py * PixelHeight);

    public double[] ToArray() => [OriginX, PixelWidth, RowRotation, OriginY, ColumnRotation, PixelHeight];
}
