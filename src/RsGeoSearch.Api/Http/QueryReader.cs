using System.Globalization;
using Microsoft.AspNetCore.Http;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Http;

/// <summary>
/// Reads and validates query parameters; every failure is a <see cref="ParameterException"/> naming the parameter.
/// Parameter names are case-sensitive except where <paramref name="ignoreCase"/> is set (WFS KVP).
/// </summary>
internal sealed class QueryReader(IQueryCollection query, bool ignoreCase = false)
{
    /// <summary>Rejects any parameter not in <paramref name="allowed"/> (OGC API Features /req/core/query-param-unknown).</summary>
    public QueryReader Only(params string[] allowed)
    {
        var comparer = ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        foreach (var key in query.Keys)
            if (!allowed.Contains(key, comparer))
                throw new ParameterException(key, $"unknown query parameter '{key}'; this resource accepts: {string.Join(", ", allowed)}");
        return this;
    }

    public string? String(string name)
    {
        var values = Values(name);
        if (values.Count == 0) return null;
        // The same value twice is what GIS clients send when they append a connection URL's query to a link that carries it.
        if (values.Distinct().Skip(1).Any()) throw new ParameterException(name, $"parameter '{name}' is given {values.Count} times with different values; give it once");
        return values[0];
    }

    public int Int(string name, int defaultValue, int min, int max, bool clamp = false)
    {
        var text = String(name);
        if (text is null) return defaultValue;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            if (clamp && System.Numerics.BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var big) && big > max) return max;
            throw new ParameterException(name, $"{name} '{text}' is not an integer");
        }
        if (v < min) throw new ParameterException(name, $"{name} {v} must be at least {min}");
        if (v > max)
        {
            if (clamp) return max;
            throw new ParameterException(name, $"{name} {v} must be at most {max}");
        }
        return v;
    }

    public double? Double(string name, double min, double max)
    {
        var text = String(name);
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new ParameterException(name, $"{name} '{text}' is not a number");
        if (v < min || v > max) throw new ParameterException(name, $"{name} {text} must lie between {min} and {max}");
        return v;
    }

    public BoundingBox? Bbox(string name = "bbox")
    {
        var text = String(name);
        if (text is null) return null;
        try { return ClampedBbox(text); }
        catch (InputException e) { throw new ParameterException(name, e.Message); }
    }

    /// <summary>
    /// "minx,miny,maxx,maxy": malformed text and min &gt; max are errors, but values beyond ±180/±90 are clamped,
    /// because map clients zoomed out past the world (QGIS, web maps) send such boxes.
    /// </summary>
    public static BoundingBox ClampedBbox(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var v = new double[4];
        if (parts.Length != 4 || Enumerable.Range(0, 4).Any(i =>
                !double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !double.IsFinite(v[i])))
            return BoundingBox.Parse(text); // throws the canonical message
        return BoundingBox.Create(Math.Clamp(v[0], -180, 180), Math.Clamp(v[1], -90, 90), Math.Clamp(v[2], -180, 180), Math.Clamp(v[3], -90, 90));
    }

    public TimeRange Time(string name = "datetime")
    {
        var text = String(name);
        if (text is null) return TimeRange.All;
        try { return TimeRange.Parse(text); }
        catch (InputException e) { throw new ParameterException(name, $"{name}: {e.Message}"); }
    }

    /// <summary>A comma-separated list of chip ids ("12,40"); repeated parameters are joined.</summary>
    public IReadOnlyList<long>? Ids(string name)
    {
        var values = Values(name);
        if (values.Count == 0) return null;
        var ids = new List<long>();
        foreach (var part in values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (!long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) || id < 1)
                throw new ParameterException(name, $"{name}: '{part}' is not a chip id (a positive integer)");
            ids.Add(id);
        }
        if (ids.Count == 0) throw new ParameterException(name, $"{name} is empty; give chip ids such as {name}=12,40");
        ids = ids.Distinct().ToList();
        if (ids.Count > 100) throw new ParameterException(name, $"{name} lists {ids.Count} chips; at most 100");
        return ids;
    }

    private IReadOnlyList<string?> Values(string name)
    {
        if (!ignoreCase) return query.TryGetValue(name, out var v) ? v : [];
        return query.Where(kv => string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)).SelectMany(kv => kv.Value).ToList();
    }
}
