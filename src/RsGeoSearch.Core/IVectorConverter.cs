namespace RsGeoSearch.Core;

/// <summary>
/// Converts a GeoJSON FeatureCollection (CRS84) into another vector format; the server's exports use it
/// (GeoPackage through GDAL/OGR in RsGeoSearch.Raster).
/// </summary>
public interface IVectorConverter
{
    /// <summary>A GeoPackage holding the features of <paramref name="geoJson"/> as one layer named <paramref name="layerName"/>.</summary>
    /// <exception cref="InputException">the GeoJSON is not readable as vector features</exception>
    byte[] GeoJsonToGeoPackage(ReadOnlySpan<byte> geoJson, string layerName);
}
