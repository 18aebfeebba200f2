using RsGeoSearch.Api.Http;
using RsGeoSearch.Api.Ogc;
using RsGeoSearch.Core;
using static RsGeoSearch.Api.Requests.Parameters;
using R = RsGeoSearch.Api.Requests.ParameterReaders;

namespace RsGeoSearch.Api.Requests;

/// <summary>
/// The OGC API - Features items request of chips and scenes (/ogc/collections/{id}/items): the search parameters of
/// <see cref="OgcSearch"/>, bbox in the OGC form (bbox-crs, 6 numbers, across the antimeridian), datetime, a clamped
/// limit, offset, CQL2 filter, sortby, properties, skipGeometry and crs; plus each queryable as name=value.
/// The changes collection reads <see cref="ChangeRequest.OgcItems"/>.
/// </summary>
internal static class OgcItemsRequest
{
    public static readonly Parameter[] Own = [Bbox, BboxCrs, Datetime, Limit, Offset, F, Filter, FilterLang, FilterCrs, SortBy, Properties, SkipGeometry, Crs];

    /// <summary>Everything an items request of chips or scenes accepts, in the order the OpenAPI document lists it.</summary>
    public static IReadOnlyList<Parameter> Accepted => [.. Own, .. OgcSearch.Parameters];

    /// <summary>Every parameter of any collection's items (chips, scenes and changes), for the OpenAPI document and /ogc/api.</summary>
    public static IReadOnlyList<Parameter> AnyCollection => [.. Accepted.Concat(ChangeRequest.OgcItems).Distinct()];

    /// <summary>Rejects parameters other than <see cref="Accepted"/> and <paramref name="queryables"/>.</summary>
    public static void Only(QueryReader query, IEnumerable<string> queryables) => query.Only([.. Names(Accepted), .. queryables]);

    /// <summary>Where, when and which page: bbox (or its halves across the antimeridian), datetime, limit (cut to the server's maximum), offset.</summary>
    public static (BoundingBox? Bbox, BboxHalves? Crossing, TimeRange Time, int Limit, int Offset) ReadPage(QueryReader query, ApiOptions options)
    {
        var (bbox, crossing) = R.OgcBbox(query);
        return (bbox, crossing, R.Time(query, Datetime), R.Limit(query, Limit, 10, options.MaxLimit, clamp: true), R.Offset(query, Offset));
    }
}
