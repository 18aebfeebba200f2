using RsGeoSearch.Api.Http;
using RsGeoSearch.Core;
using static RsGeoSearch.Api.Requests.Parameters;
using R = RsGeoSearch.Api.Requests.ParameterReaders;

namespace RsGeoSearch.Api.Requests;

/// <summary>
/// The chip search of the JSON API: GET /search (text, example chips, negative terms, relevance, grouping) and
/// GET /chips/{id}/similar (the chips like one chip), read into a <see cref="CatalogQuery"/>; and the scene list
/// GET /scenes.
/// </summary>
internal static class SearchRequest
{
    public static readonly Parameter[] Search = [Q, Not, Bbox, Datetime, Limit, Offset, MinScore, MinRelevance, Group, Model, Like, Unlike];
    public static readonly Parameter[] Similar = [Bbox, Datetime, Limit, Offset, MinScore, Model];
    public static readonly Parameter[] Scenes = [Bbox, Datetime, Limit, Offset];

    /// <summary>GET /search: unknown parameters, bad values and rules broken (unlike without q or like, ...) are 400s naming the parameter.</summary>
    public static CatalogQuery Read(QueryReader query, ApiOptions options)
    {
        query.Only(Names(Search));
        return R.Core(() => new CatalogQuery(
            Text: R.Text(query, Q),
            Like: R.Ids(query, Like),
            Unlike: R.Ids(query, Unlike),
            Bbox: R.Bbox(query, Bbox),
            Time: R.Time(query, Datetime),
            Limit: R.Limit(query, Limit, 10, options.MaxLimit, clamp: false),
            Offset: R.Offset(query, Offset),
            MinScore: R.Number(query, MinScore),
            Model: R.Model(query, Model),
            Not: R.Terms(query, Not),
            MinRelevance: R.Number(query, MinRelevance),
            Group: R.Group(query, Group)));
    }

    /// <summary>GET /chips/{id}/similar: the chips ranked by similarity to chip <paramref name="id"/>.</summary>
    public static CatalogQuery ReadSimilar(QueryReader query, ApiOptions options, long id)
    {
        query.Only(Names(Similar));
        return R.Core(() => new CatalogQuery(
            Like: [id],
            Bbox: R.Bbox(query, Bbox),
            Time: R.Time(query, Datetime),
            Limit: R.Limit(query, Limit, 10, options.MaxLimit, clamp: false),
            Offset: R.Offset(query, Offset),
            MinScore: R.Number(query, MinScore),
            Model: R.Model(query, Model)));
    }

    /// <summary>GET /scenes: box, time and page (100 by default).</summary>
    public static (BoundingBox? Bbox, TimeRange Time, int Limit, int Offset) ReadScenes(QueryReader query, ApiOptions options)
    {
        query.Only(Names(Scenes));
        return (R.Bbox(query, Bbox), R.Time(query, Datetime), R.Limit(query, Limit, 100, options.MaxLimit, clamp: false), R.Offset(query, Offset));
    }
}
