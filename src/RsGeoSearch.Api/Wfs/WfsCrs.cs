namespace RsGeoSearch.Api.Wfs;

/// <summary>
/// The CRS names WFS clients send for WGS 84 and their axis order: the EPSG URN/URI forms are latitude/longitude
/// (as EPSG defines 4326), the short "EPSG:4326", the old epsg.xml#4326 URL and CRS84 are longitude/latitude
/// (the GeoServer/GDAL convention).
/// </summary>
internal static class WfsCrs
{
    public const string Default = "urn:ogc:def:crs:EPSG::4326";

    /// <summary>True when coordinates in <paramref name="crs"/> are written latitude first.</summary>
    public static bool IsLatLon(string crs, string locator)
    {
        var c = crs.Trim();
        if (c.Equals("urn:ogc:def:crs:EPSG::4326", StringComparison.OrdinalIgnoreCase)
            || c.StartsWith("urn:ogc:def:crs:EPSG:", StringComparison.OrdinalIgnoreCase) && c.EndsWith(":4326", StringComparison.Ordinal)
            || c.Equals("urn:x-ogc:def:crs:EPSG:4326", StringComparison.OrdinalIgnoreCase)
            || c.Equals("http://www.opengis.net/def/crs/EPSG/0/4326", StringComparison.OrdinalIgnoreCase))
            return true;
        if (c.Equals("EPSG:4326", StringComparison.OrdinalIgnoreCase)
            || c.Equals("http://www.opengis.net/gml/srs/epsg.xml#4326", StringComparison.OrdinalIgnoreCase)
            || c.Equals("urn:ogc:def:crs:OGC:1.3:CRS84", StringComparison.OrdinalIgnoreCase)
            || c.Equals("urn:ogc:def:crs:OGC::CRS84", StringComparison.OrdinalIgnoreCase)
            || c.Equals("CRS:84", StringComparison.OrdinalIgnoreCase)
            || c.Equals("http://www.opengis.net/def/crs/OGC/1.3/CRS84", StringComparison.OrdinalIgnoreCase))
            return false;
        throw new OwsException("InvalidParameterValue", locator,
            $"CRS '{crs}' is not supported; use {Default} (lat/lon), EPSG:4326 or CRS84 (lon/lat)");
    }
}
