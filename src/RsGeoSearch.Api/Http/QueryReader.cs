using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace RsGeoSearch.Api.Http;

/// <summary>
/// Reads query parameters as text (the typed readers of declared parameters are <see cref="Requests.ParameterReaders"/>);
/// every failure is a <see cref="ParameterException"/> naming the parameter.
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

    /// <summary>Every value of a parameter (repeated parameters give several).</summary>
    public IReadOnlyList<string?> Values(string name)
    {
        if (!ignoreCase) return query.TryGetValue(name, out var v) ? v : [];
        return query.Where(kv => string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)).SelectMany(kv => kv.Value).ToList();
    }
}
