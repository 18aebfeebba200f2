using Microsoft.AspNetCore.Http;
using RsGeoSearch.Api.Http;

namespace RsGeoSearch.Api.Ogc;

/// <summary>
/// The query parameters that select a search of the chips (q, model, min_score, like, unlike, not, min_relevance, group). GIS clients
/// (GDAL's OAPIF driver, QGIS) append a connection URL's query string to every request they make, so these are
/// accepted on every /ogc resource, validated there, and carried into every link it emits (data, items,
/// next/prev): a connection URL such as /ogc?q=farmland gives ranked chips. The scenes collection and single
/// features ignore them; the changes collection gives q its own meaning (changes towards q).
/// </summary>
internal sealed record OgcSearch(string? Text, string? Model, double? MinScore, IReadOnlyList<long>? Like, IReadOnlyList<long>? Unlike, string Carried,
    IReadOnlyList<string>? Not = null, double? MinRelevance = null, Core.SearchGrouping Group = Core.SearchGrouping.Chip)
{
    public static readonly string[] Parameters = ["q", "model", "min_score", "like", "unlike", "not", "min_relevance", "group"];

    public bool IsRanked => Text is not null || Like is { Count: > 0 };

    /// <summary>Reads and validates the search parameters of a request (each 400 names its parameter).</summary>
    public static OgcSearch Read(HttpContext context, QueryReader query)
    {
        var search = new OgcSearch(ChipQueryReader.Text(query), ChipQueryReader.Model(query), query.Double("min_score", -1, 1),
            query.Ids("like"), query.Ids("unlike"), "", ChipQueryReader.Not(query), query.Double("min_relevance", 0, 1), ChipQueryReader.Group(query));
        if (search.Unlike is { Count: > 0 } && !search.IsRanked)
            throw new ParameterException("unlike", "'unlike' needs q or like to push away from");
        var pairs = Parameters
            .SelectMany(p => context.Request.Query.TryGetValue(p, out var v) ? v.Distinct().Select(x => (p, x ?? "")) : [])
            .Select(kv => $"{Uri.EscapeDataString(kv.p)}={Uri.EscapeDataString(kv.Item2)}");
        return search with { Carried = string.Join('&', pairs) };
    }

    /// <summary><paramref name="url"/> with the search parameters of this request appended.</summary>
    public string Link(string url) => Carried.Length == 0 ? url : url + (url.Contains('?') ? '&' : '?') + Carried;

    /// <summary>The names a resource accepts: its own and the search parameters.</summary>
    public static string[] With(params string[] own) => [.. own, .. Parameters];
}
