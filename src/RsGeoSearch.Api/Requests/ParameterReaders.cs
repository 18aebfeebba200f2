using System.Globalization;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Api.Requests;

/// <summary>
/// Reads declared parameters (<see cref="Parameters"/>) from a query string. Each reader parses the text and leaves
/// the rule to the Core type that owns it; every failure is a <see cref="ParameterException"/> naming the parameter.
/// </summary>
internal static class ParameterReaders
{
    /// <summary>A text (q, from_q, to_q), trimmed; blank is null; longer than <see cref="CatalogQuery.MaxTextLength"/> is refused.</summary>
    public static string? Text(QueryReader query, Parameter p)
    {
        var q = query.String(p.Name)?.Trim();
        if (string.IsNullOrEmpty(q)) return null;
        return Named(p.Name, () => CatalogQuery.CheckText(q, p.Name));
    }

    /// <summary>
    /// A page size: absent gives <paramref name="defaultValue"/>; above the server's <paramref name="max"/> it is cut to
    /// it when <paramref name="clamp"/> (OGC API, WFS: clients ask for more than a server gives) and refused otherwise.
    /// </summary>
    public static int Limit(QueryReader query, Parameter p, int defaultValue, int max, bool clamp)
    {
        var text = query.String(p.Name);
        if (text is null) return defaultValue;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            if (clamp && System.Numerics.BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var big) && big > max) return max;
            throw new ParameterException(p.Name, $"{p.Name} '{text}' is not an integer");
        }
        if (clamp && v > max) return max;
        return Named(p.Name, () => CatalogQuery.CheckRange(v, 1, max, p.Name));
    }

    /// <summary>How many to skip: 0 to <paramref name="max"/>.</summary>
    public static int Offset(QueryReader query, Parameter p, int max = CatalogQuery.MaxOffset)
    {
        var text = query.String(p.Name);
        if (text is null) return 0;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            throw new ParameterException(p.Name, $"{p.Name} '{text}' is not an integer");
        return Named(p.Name, () => CatalogQuery.CheckRange(v, 0, max, p.Name));
    }

    /// <summary>A number (min_score, min_relevance, iou): parsed here, its range checked by the Core query it goes into.</summary>
    public static double? Number(QueryReader query, Parameter p)
    {
        var text = query.String(p.Name);
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new ParameterException(p.Name, $"{p.Name} '{text}' is not a number");
        return v;
    }

    /// <summary>Comma-separated chip ids ("12,40"); repeated parameters are joined.</summary>
    public static IReadOnlyList<long>? Ids(QueryReader query, Parameter p)
    {
        var values = query.Values(p.Name);
        if (values.Count == 0) return null;
        var ids = new List<long>();
        foreach (var part in values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (!long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                throw new ParameterException(p.Name, $"{p.Name}: '{part}' is not a chip id (a positive integer)");
            ids.Add(id);
        }
        if (ids.Count == 0) throw new ParameterException(p.Name, $"{p.Name} is empty; give chip ids such as {p.Name}=12,40");
        return ids;
    }

    /// <summary>Comma-separated terms ("clouds,haze"); the term rules are <see cref="CatalogQuery.Not"/>'s.</summary>
    public static IReadOnlyList<string>? Terms(QueryReader query, Parameter p)
    {
        var text = query.String(p.Name);
        return text is null ? null : text.Split(',');
    }

    public static SearchGrouping Group(QueryReader query, Parameter p) => query.String(p.Name) switch
    {
        null or "chip" => SearchGrouping.Chip,
        "place" => SearchGrouping.Place,
        var other => throw new ParameterException(p.Name, $"{p.Name} '{other}' is not chip or place"),
    };

    /// <summary>A model name: letters, digits, - _ . (at most 100).</summary>
    public static string? Model(QueryReader query, Parameter p)
    {
        var model = query.String(p.Name);
        if (model is null) return null;
        if (model.Length == 0 || model.Length > 100 || !model.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ParameterException(p.Name, $"{p.Name} '{(model.Length > 100 ? model[..100] : model)}' is not a model name (letters, digits, - _ .); GET /models lists them");
        return model;
    }

    /// <summary>true/false (also 1/0; an empty value means true when <paramref name="emptyIsTrue"/>).</summary>
    public static bool Flag(QueryReader query, Parameter p, bool emptyIsTrue = false) => query.String(p.Name)?.Trim().ToLowerInvariant() switch
    {
        null or "false" or "0" => false,
        "true" or "1" => true,
        "" when emptyIsTrue => true,
        var other => throw new ParameterException(p.Name, $"{p.Name} '{other}' must be true or false"),
    };

    public static ChangePairing Pairing(QueryReader query, Parameter p) => query.String(p.Name)?.Trim().ToLowerInvariant() switch
    {
        null or "span" => ChangePairing.Span,
        "consecutive" => ChangePairing.Consecutive,
        var other => throw new ParameterException(p.Name, $"{p.Name} '{other}' must be span (first vs last date of each place) or consecutive"),
    };

    /// <summary>An instant or interval (<see cref="TimeRange.Parse"/>); absent is <see cref="TimeRange.All"/>.</summary>
    public static TimeRange Time(QueryReader query, Parameter p)
    {
        var text = query.String(p.Name);
        if (text is null) return TimeRange.All;
        try { return TimeRange.Parse(text); }
        catch (InputException e) { throw new ParameterException(p.Name, $"{p.Name}: {e.Message}"); }
    }

    /// <summary>Two optional ends (from, to) as one range; errors name the end at fault (a reversed range: <paramref name="from"/>).</summary>
    public static TimeRange Ends(QueryReader query, Parameter from, Parameter to)
    {
        var (a, b) = (query.String(from.Name), query.String(to.Name));
        try
        {
            return TimeRange.FromEnds(a, b, from.Name, to.Name);
        }
        catch (InputException e) when (e.Field == "datetime")
        {
            throw new ParameterException(from.Name, $"{from.Name} {a} is not before {to.Name} {b}; 'from' must be before 'to': changes compare an earlier date with a later one");
        }
        catch (InputException e) when (e.Field is not null)
        {
            throw new ParameterException(e.Field, e.Message);
        }
    }

    /// <summary>The plain bbox form: "minx,miny,maxx,maxy" in degrees (the rule for boxes past the world: <see cref="BoundingBox.Clamped"/>).</summary>
    public static BoundingBox? Bbox(QueryReader query, Parameter p)
    {
        var text = query.String(p.Name);
        if (text is null) return null;
        return Named(p.Name, () => BoundingBox.Parse(text));
    }

    /// <summary>
    /// The OGC API form: bbox as 4 numbers (or 6 with heights, which are ignored) in the CRS named by bbox-crs (CRS84
    /// only). A box whose west edge exceeds its east edge crosses the antimeridian: it comes back as its two halves
    /// (<see cref="BboxHalves"/>), to be added to the filter, instead of a box.
    /// </summary>
    public static (BoundingBox? Box, BboxHalves? Crossing) OgcBbox(QueryReader query)
    {
        Crs84Only(query, Parameters.BboxCrs);
        var text = query.String(Parameters.Bbox.Name);
        if (text is null) return (null, null);
        var v = Named(Parameters.Bbox.Name, () => BoundingBox.ParseNumbers(text, 4, 6));
        if (v.Length == 6) v = [v[0], v[1], v[3], v[4]];
        if (v[0] > v[2] && v[0] <= 180 && v[2] >= -180 && v[1] <= v[3])
        {
            var west = Named(Parameters.Bbox.Name, () => BoundingBox.Clamped(v[0], v[1], 180, v[3]));
            var east = Named(Parameters.Bbox.Name, () => BoundingBox.Clamped(-180, v[1], v[2], v[3]));
            return (null, new BboxHalves(west, east));
        }
        return (Named(Parameters.Bbox.Name, () => BoundingBox.Clamped(v[0], v[1], v[2], v[3])), null);
    }

    /// <summary>crs, bbox-crs and filter-crs: CRS84 only, else a 400 that names the parameter.</summary>
    public static void Crs84Only(QueryReader query, Parameter p)
    {
        var crs = query.String(p.Name);
        if (crs is not null && crs != Parameters.Crs84 && crs != "[OGC:CRS84]")
            throw new ParameterException(p.Name, $"{p.Name} '{crs}' is not supported; the only supported CRS is {Parameters.Crs84} (longitude, latitude)");
    }

    /// <summary>
    /// Builds a Core request; a rule it breaks becomes a 400 naming the parameter (<paramref name="names"/> maps a
    /// Core field to this request's parameter where they differ).
    /// </summary>
    public static T Core<T>(Func<T> build, IReadOnlyDictionary<string, string>? names = null)
    {
        try { return build(); }
        catch (InputException e) when (e.Field is not null) { throw new ParameterException(names?.GetValueOrDefault(e.Field) ?? e.Field, e.Message); }
    }

    private static T Named<T>(string name, Func<T> read)
    {
        try { return read(); }
        catch (InputException e) when (e is not ParameterException) { throw new ParameterException(name, e.Message); }
    }
}

/// <summary>The two halves of a box across the antimeridian: west of it (to 180) and east of it (from -180).</summary>
internal sealed record BboxHalves(BoundingBox West, BoundingBox East);
