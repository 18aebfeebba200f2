using System.Globalization;

namespace RsGeoSearch.Core;

/// <summary>An axis-aligned box in EPSG:4326 longitude/latitude (x = lon, y = lat).</summary>
public readonly record struct BoundingBox(double MinX, double MinY, double MaxX, double MaxY)
{
    public static readonly BoundingBox World = new(-180, -90, 180, 90);

    /// <summary>Parses "minx,miny,maxx,maxy" in degrees; throws <see cref="InputException"/> on bad input.</summary>
    public static BoundingBox Parse(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 4)
            throw new InputException($"bbox '{text}' must have four numbers: minx,miny,maxx,maxy (degrees, EPSG:4326)");
        var v = new double[4];
        for (var i = 0; i < 4; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !double.IsFinite(v[i]))
                throw new InputException($"bbox '{text}': '{parts[i]}' is not a number");
        }
        return Create(v[0], v[1], v[2], v[3]);
    }

    /// <summary>Validates and creates a box; min must not exceed max and values must lie within ±180/±90.</summary>
    public static BoundingBox Create(double minX, double minY, double maxX, double maxY)
    {
        if (minX < -180 || maxX > 180 || minY < -90 || maxY > 90)
            throw new InputException($"bbox {Format(minX, minY, maxX, maxY)} lies outside -180,-90,180,90 (longitude, latitude in degrees)");
        if (minX > maxX || minY > maxY)
            throw new InputException($"bbox {Format(minX, minY, maxX, maxY)} has min > max; the order is minx,miny,maxx,maxy");
        return new BoundingBox(minX, minY, maxX, maxY);
    }

    public double Width => MaxX - MinX;
    public double Height => MaxY - MinY;

    public bool Intersects(BoundingBox other) =>
        MinX <= other.MaxX && other.MinX <= MaxX && MinY <= other.MaxY && other.MinY <= MaxY;

    public bool Contains(double x, double y) => x >= MinX && x <= MaxX && y >= MinY && y <= MaxY;

    public override string ToString() => Format(MinX, MinY, MaxX, MaxY);

    private static string Format(double a, double b, double c, double d) =>
        string.Join(',', new[] { a, b, c, d }.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
}
