using Microsoft.AspNetCore.Http;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Api.Requests;
using RsGeoSearch.Core;
using R = RsGeoSearch.Api.Requests.ParameterReaders;

namespace RsGeoSearch.Api.Ogc;

/// <summary>
/// The query parameters that select a search of the chips (q, model, min_score, like, unlike, not, min_relevance, group). GIS clients
/// (GDAL's OAPIF driver, QGIS) append a connection URL's query string to every request they make, so these are
/// accepted on every /ogc resource, validated there, and carried into every link it emits (data, items,
/// next/prev): a connection URL such as /ogc?q=farmland gives ranked chips. The scenes collection and single
/// features ignore them; the changes collection gives q its own meaning (changes towards q).
/// </summary>
internal sealed record OgcSearch(string? Text, string? Model, double? MinScore, IReadOnlyList<long>? Like, IReadOnlyList<long>? Unlike, string Carried,
    IReadOnlyList<string>? Not = null, double? MinRelevance = null, SearchGrouping Group = SearchGrouping.Chip)
{
    public static readonly Parameter[] Parameters =
    [
        Requests.Parameters.Q, Requests.Parameters.Model, Requests.Parameters.MinScore, Requests.Parameters.Like, Requests.Parameters.Unlike,
        Requests.Parameters.Not, Requests.Parameters.MinRelevance, Requests.Parameters.Group,
    ];

    public bool IsRanked => Text is not null || Like is { Count: > 0 };

    /// <summary>
    /// Reads and validates the search parameters of a request (each 400 names its parameter): each value by the
    /// rules of <see cref="CatalogQuery"/>, and unlike only with q or like; not, min_relevance and group=place
    /// without q are refused where chips are searched (<see cref="Query"/>), since scenes ignore them.
    /// </summary>
    public static OgcSearch Read(HttpContext context, QueryReader query)
    {
        var text = R.Text(query, Requests.Parameters.Q);
        var like = R.Ids(query, Requests.Parameters.Like);
        var unlike = R.Ids(query, Requests.Parameters.Unlike);
        var minScore = R.Number(query, Requests.Parameters.MinScore);
        var checkedSearch = R.Core(() => new CatalogQuery(Text: text, Like: like, Unlike: unlike, MinScore: minScore));
        var not = R.Core(() => CatalogQuery.CheckTerms(R.Terms(query, Requests.Parameters.Not), "not"));
        var minRelevance = R.Core(() => CatalogQuery.CheckMinRelevance(R.Number(query, Requests.Parameters.MinRelevance)));
        var pairs = Parameters
            .SelectMany(p => context.Request.Query.TryGetValue(p.Name, out var v) ? v.Distinct().Select(x => (p.Name, x ?? "")) : [])
            .Select(kv => $"{Uri.EscapeDataString(kv.Name)}={Uri.EscapeDataString(kv.Item2)}");
        return new OgcSearch(checkedSearch.Text, R.Model(query, Requests.Parameters.Model), checkedSearch.MinScore, checkedSearch.Like, checkedSearch.Unlike,
            string.Join('&', pairs), not, minRelevance, R.Group(query, Requests.Parameters.Group));
    }

    /// <summary>The chip search of this request over a box, time, filter and page (the rules of <see cref="CatalogQuery"/> apply).</summary>
    public CatalogQuery Query(BoundingBox? bbox, TimeRange time, int limit, int offset, Core.Filtering.FilterNode? where,
        IReadOnlyList<Core.Filtering.SortClause>? sortBy) =>
        R.Core(() => new CatalogQuery(Text: Text, Like: Like, Unlike: Unlike, Bbox: bbox, Time: time, Limit: limit, Offset: offset,
            MinScore: MinScore, Model: Model, Where: where, SortBy: sortBy, Not: Not, MinRelevance: MinRelevance, Group: Group));

    /// <summary><paramref name="url"/> with the search parameters of this request appended.</summary>
    public string Link(string url) => Carried.Length == 0 ? url : url + (url.Contains('?') ? '&' : '?') + Carried;

    /// <summary>The names a resource accepts: its own and the search parameters.</summary>
    public static string[] With(params Parameter[] own) => Requests.Parameters.Names([.. own, .. Parameters]);
}
