using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Http;

/// <summary>The filter and paging parameters every chip listing shares: bbox, datetime, limit, offset, min_score, model.</summary>
internal static class ChipQueryReader
{
    public static CatalogQuery Filter(QueryReader query, ApiOptions options, int defaultLimit, bool clampLimit, string limitName = "limit", string offsetName = "offset") => new(
        Bbox: query.Bbox(),
        Time: query.Time(),
        Limit: query.Int(limitName, defaultLimit, 1, options.MaxLimit, clampLimit),
        Offset: query.Int(offsetName, 0, 0, 10_000_000),
        MinScore: query.Double("min_score", -1, 1),
        Model: Model(query));

    public static string? Model(QueryReader query)
    {
        var model = query.String("model");
        if (model is null) return null;
        if (model.Length == 0 || model.Length > 100 || !model.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ParameterException("model", $"model '{(model.Length > 100 ? model[..100] : model)}' is not a model name (letters, digits, - _ .); GET /models lists them");
        return model;
    }

    /// <summary>The text query, trimmed; an over-long text is refused rather than silently cut.</summary>
    public static string? Text(QueryReader query, string name = "q")
    {
        var q = query.String(name)?.Trim();
        if (string.IsNullOrEmpty(q)) return null;
        if (q.Length > 1000) throw new ParameterException(name, $"{name} is {q.Length} characters long; at most 1000");
        return q;
    }

    /// <summary>
    /// The ranking options every search shares: <c>not</c> (negative terms, comma-separated), <c>min_relevance</c>
    /// (0..1) and <c>group</c> (chip or place); bad values are 400 naming the parameter.
    /// </summary>
    public static CatalogQuery Ranking(QueryReader query, CatalogQuery request, string notName = "not", string minRelevanceName = "min_relevance", string groupName = "group") =>
        request with
        {
            Not = Not(query, notName),
            MinRelevance = query.Double(minRelevanceName, 0, 1),
            Group = Group(query, groupName),
        };

    /// <summary>Negative terms: "clouds,haze" → [clouds, haze]; an empty term is refused.</summary>
    public static IReadOnlyList<string>? Not(QueryReader query, string name = "not")
    {
        var text = query.String(name);
        if (text is null) return null;
        var terms = text.Split(',').Select(t => t.Trim()).ToList();
        if (terms.Any(t => t.Length == 0))
            throw new ParameterException(name, $"{name} has an empty term ('{text}'); give comma-separated terms such as {name}=clouds,haze");
        if (terms.Any(t => t.Length > 1000)) throw new ParameterException(name, $"{name}: a term is longer than 1000 characters");
        if (terms.Count > 20) throw new ParameterException(name, $"{name} lists {terms.Count} terms; at most 20");
        return terms;
    }

    public static SearchGrouping Group(QueryReader query, string name = "group") => query.String(name) switch
    {
        null or "chip" => SearchGrouping.Chip,
        "place" => SearchGrouping.Place,
        var other => throw new ParameterException(name, $"{name} '{other}' is not chip or place"),
    };
}
