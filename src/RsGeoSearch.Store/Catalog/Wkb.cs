using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace RsGeoSearch.Store;

/// <summary>Polygons to and from WKB (EPSG:4326), the form they travel in to ST_GeomFromWKB / from ST_AsBinary.</summary>
internal static class Wkb
{
    public static byte[]? Write(Polygon? polygon) =>
        polygon is null ? null : new WKBWriter(ByteOrder.LittleEndian, handleSRID: false, emitZ: false, emitM: false).Write(polygon);

    public static Polygon? ReadPolygon(byte[]? wkb)
    {
        if (wkb is null) return null;
        var geometry = new WKBReader().Read(wkb);
        if (geometry is not Polygon polygon) throw new StoreException($"expected a polygon in the catalog, found a {geometry.GeometryType}");
        polygon.SRID = 4326;
        return polygon;
    }
}
