using System.Globalization;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Wfs;

/// <summary>WFS bounding boxes: "a,b,c,d[,crs]" KVP and envelope corners, turned into lon/lat by the CRS axis order.</summary>
internal static class WfsBbox
{
    public static BoundingBox Parse(string text, string defaultCrs)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is not (4 or 5))
            throw new OwsException("InvalidParameterValue", "BBOX", $"BBOX '{text}' must be four numbers and an optional CRS: a,b,c,d[,crs]");
        var v = new double[4];
        for (var i = 0; i < 4; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !double.IsFinite(v[i]))
                throw new OwsException("InvalidParameterValue", "BBOX", $"BBOX '{text}': '{parts[i]}' is not a number");
        var latLon = WfsCrs.IsLatLon(parts.Length == 5 ? parts[4] : defaultCrs, "BBOX");
        return FromCorners(v[0], v[1], v[2], v[3], latLon, "BBOX");
    }

    /// <summary>Lower corner (a, b) and upper corner (c, d) in the CRS's axis order; values beyond the world are clamped.</summary>
    public static BoundingBox FromCorners(double a, double b, double c, double d, bool latLon, string locator)
    {
        var (minX, minY, maxX, maxY) = latLon ? (b, a, d, c) : (a, b, c, d);
        try
        {
            return BoundingBox.Create(Math.Clamp(minX, -180, 180), Math.Clamp(minY, -90, 90), Math.Clamp(maxX, -180, 180), Math.Clamp(maxY, -90, 90));
        }
        catch (InputException e)
        {
            throw new OwsException("InvalidParameterValue", locator, e.Message + (latLon ? " (this CRS is latitude first: minlat,minlon,maxlat,maxlon)" : ""));
        }
    }
}
