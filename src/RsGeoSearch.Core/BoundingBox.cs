using System.Globalization;

namespace RsGeoSearch.Core;

/// <summary>
/// An axis-aligned box in EPSG:4326 longitude/latitude (x = lon, y = lat). Every value is valid: the constructor
/// refuses non-finite numbers, min &gt; max and values beyond ±180/±90 (like NetTopologySuite's Envelope, there is no
/// way around it; <c>default</c> is the point 0,0). User text goes through <see cref="Parse"/> or
/// <see cref="Clamped"/>, which share one rule for boxes reaching past the world.
/// </summary>
public readonly record struct BoundingBox
{
    public static readonly BoundingBox World = new(-180, -90, 180, 90);

    /// <summary>Throws <see cref="InputException"/> (field bbox) unless min ≤ max and the box lies within -180,-90,180,90.</summary>
    public BoundingBox(double minX, double minY, double maxX, double maxY)
    {
        if (!double.IsFinite(minX) || !double.IsFinite(minY) || !double.IsFinite(maxX) || !double.IsFinite(maxY))
            throw Invalid($"bbox {Format(minX, minY, maxX, maxY)} has a value that is not a number");
        if (minX < -180 || maxX > 180 || minY < -90 || maxY > 90)
            throw Invalid($"bbox {Format(minX, minY, maxX, maxY)} lies outside -180,-90,180,90 (longitude, latitude in degrees)");
        if (minX > maxX || minY > maxY)
            throw Invalid($"bbox {Format(minX, minY, maxX, maxY)} has min > max; the order is minx,miny,maxx,maxy");
        (MinX, MinY, MaxX, MaxY) = (minX, minY, maxX, maxY);
    }

    public double MinX { get; }
    public double MinY { get; }
    public double MaxX { get; }
    public double MaxY { get; }

    /// <summary>
    /// Parses "minx,miny,maxx,maxy" in degrees (the CLI's --bbox and the JSON API's bbox); throws
    /// <see cref="InputException"/> on bad input. Values past the world are clamped, see <see cref="Clamped"/>.
    /// </summary>
    public static BoundingBox Parse(string text)
    {
        var v = ParseNumbers(text, 4);
        return Clamped(v[0], v[1], v[2], v[3]);
    }

    /// <summary>
    /// "a,b,c,d" (or <paramref name="counts"/> other lengths) as finite numbers; throws naming the bbox and the bad part.
    /// </summary>
    public static double[] ParseNumbers(string text, params int[] counts)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (!counts.Contains(parts.Length))
            throw Invalid(counts.Length == 1
                ? $"bbox '{text}' must have four numbers: minx,miny,maxx,maxy (degrees, EPSG:4326)"
                : $"bbox '{text}' must have {string.Join(" or ", counts)} numbers: minx,miny,maxx,maxy (degrees, EPSG:4326)");
        var v = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !double.IsFinite(v[i]))
                throw Invalid($"bbox '{text}': '{parts[i]}' is not a number");
        return v;
    }

    /// <summary>
    /// The one rule for boxes from users and map clients: min &gt; max is an error; a box that reaches past
    /// ±180/±90 is cut to the world (map clients zoomed out beyond the world send such boxes); a box with no part
    /// inside the world is an error (often latitude and longitude swapped, or metres instead of degrees).
    /// </summary>
    public static BoundingBox Clamped(double minX, double minY, double maxX, double maxY)
    {
        if (!double.IsFinite(minX) || !double.IsFinite(minY) || !double.IsFinite(maxX) || !double.IsFinite(maxY))
            throw Invalid($"bbox {Format(minX, minY, maxX, maxY)} has a value that is not a number");
        if (minX > maxX || minY > maxY)
            throw Invalid($"bbox {Format(minX, minY, maxX, maxY)} has min > max; the order is minx,miny,maxx,maxy");
        if (maxX < -180 || minX > 180 || maxY < -90 || minY > 90)
            throw Invalid($"bbox {Format(minX, minY, maxX, maxY)} lies outside -180,-90,180,90 (longitude, latitude in degrees)");
        return new BoundingBox(Math.Clamp(minX, -180, 180), Math.Clamp(minY, -90, 90), Math.Clamp(maxX, -180, 180), Math.Clamp(maxY, -90, 90));
    }

    /// <summary>The same as the constructor: validates and creates a box.</summary>
    public static BoundingBox Create(double minX, double minY, double maxX, double maxY) => new(minX, minY, maxX, maxY);

    public double Width => MaxX - MinX;
    public double Height => MaxY - MinY;

    public bool Intersects(BoundingBox other) =>
        MinX <= other.MaxX && other.MinX <= MaxX && MinY <= other.MaxY && other.MinY <= MaxY;

    public bool Contains(double x, double y) => x >= MinX && x <= MaxX && y >= MinY && y <= MaxY;

    public override string ToString() => Format(MinX, MinY, MaxX, MaxY);

    private static InputException Invalid(string message) => new("bbox", message);

    private static string Format(double a, double b, double c, double d) =>
        string.Join(',', new[] { a, b, c, d }.Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
}
