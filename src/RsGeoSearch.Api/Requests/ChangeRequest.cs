using RsGeoSearch.Api.Http;
using RsGeoSearch.Core;
using static RsGeoSearch.Api.Requests.Parameters;
using R = RsGeoSearch.Api.Requests.ParameterReaders;

namespace RsGeoSearch.Api.Requests;

/// <summary>
/// The change request: GET /changes (bbox required, from/to) and the OGC API collection "changes" (datetime a/b,
/// bbox-crs, bbox defaulting to the catalogue's extent), read into a <see cref="ChangeQuery"/>.
/// </summary>
internal static class ChangeRequest
{
    public static readonly Parameter[] Changes = [Bbox, From, To, Q, FromQ, ToQ, Limit, Offset, Iou, Normalise, Pairs, Model];

    /// <summary>The OGC items of "changes"; min_score, like and unlike come with a chip-search connection URL (see OgcSearch): accepted, not used.</summary>
    public static readonly Parameter[] OgcItems = [Bbox, BboxCrs, Datetime, Limit, Offset, Q, FromQ, ToQ, Iou, Normalise, Pairs, Model, F, MinScore, Like, Unlike];

    /// <summary>GET /changes; every bad parameter is a <see cref="ParameterException"/> (400) naming it.</summary>
    public static ChangeQuery Read(QueryReader query, ApiOptions options)
    {
        query.Only(Names(Changes));
        var bbox = R.Bbox(query, Bbox) ?? throw new ParameterException(Bbox.Name, "bbox is required: minx,miny,maxx,maxy (degrees) of the area to compare");
        var time = R.Ends(query, From, To);
        return Build(query, options, bbox, time, new Dictionary<string, string> { ["datetime"] = From.Name });
    }

    /// <summary>The OGC items of "changes"; <paramref name="extent"/> gives the bbox when the request has none.</summary>
    public static async Task<ChangeQuery> ReadOgcAsync(QueryReader query, ApiOptions options, Func<Task<BoundingBox?>> extent)
    {
        query.Only(Names(OgcItems));
        var (box, crossing) = R.OgcBbox(query);
        if (crossing is not null)
            throw new ParameterException(Bbox.Name, "changes: a bbox across the antimeridian is not supported; ask for each side separately");
        var bbox = box ?? await extent() ?? throw new ParameterException(Bbox.Name, "the catalogue holds no georeferenced imagery yet; give a bbox");
        return Build(query, options, bbox, R.Time(query, Datetime), null);
    }

    private static ChangeQuery Build(QueryReader query, ApiOptions options, BoundingBox bbox, TimeRange time, Dictionary<string, string>? names) =>
        R.Core(() => new ChangeQuery(bbox, time,
            Text: R.Text(query, Q),
            FromText: R.Text(query, FromQ),
            ToText: R.Text(query, ToQ),
            Limit: R.Limit(query, Limit, 20, Math.Min(options.MaxLimit, ChangeQuery.MaxLimit), clamp: true),
            Offset: R.Offset(query, Offset, ChangeQuery.MaxOffset),
            MinIoU: R.Number(query, Iou) ?? ChangeQuery.DefaultMinIoU,
            Normalise: R.Flag(query, Normalise, emptyIsTrue: true),
            Pairing: R.Pairing(query, Pairs),
            Model: R.Model(query, Model)), names);
}
