using RsGeoSearch.Api.Http;
using RsGeoSearch.Api.Wfs;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;
using R = RsGeoSearch.Api.Requests.ParameterReaders;

namespace RsGeoSearch.Api.Requests;

/// <summary>
/// The paging, search and box parameters of a WFS 2.0 GetFeature request (KVP, names case-insensitive; unknown
/// parameters are ignored, as WFS clients add their own): COUNT (or the WFS 1.x MAXFEATURES), STARTINDEX, BBOX
/// (a,b,c,d[,crs] in the CRS's axis order) and the vendor parameters Q, NOT and MIN_RELEVANCE. The rules are
/// <see cref="CatalogQuery"/>'s; every failure is an OWS exception whose locator names the parameter.
/// </summary>
internal sealed record WfsGetFeatureRequest(int Count, int StartIndex, string? Text, IReadOnlyList<string>? Not, double? MinRelevance, BoundingBox? Bbox)
{
    public static readonly Parameter CountParameter = new("COUNT", "features per page; values above the maximum are treated as the maximum", Schema.Integer(1, maxIsServerLimit: true));
    public static readonly Parameter MaxFeatures = CountParameter with { Name = "MAXFEATURES", Description = "WFS 1.x name of COUNT" };
    public static readonly Parameter StartIndexParameter = new("STARTINDEX", "features to skip (next/previous set it)", Schema.Integer(0, CatalogQuery.MaxOffset, 0));
    public static readonly Parameter Q = Parameters.Q with { Name = "Q", Description = "rsgeo:chips: a natural-language query; features carry score and come best first" };
    public static readonly Parameter NotParameter = Parameters.Not with { Name = "NOT" };
    public static readonly Parameter MinRelevanceParameter = Parameters.MinRelevance with { Name = "MIN_RELEVANCE" };
    public static readonly Parameter BboxParameter = new("BBOX", "a,b,c,d[,crs]: lower and upper corner in the CRS's axis order (EPSG URNs: latitude first)", Schema.String());

    /// <summary>What Core calls each field, as this request names it (for OWS exception locators).</summary>
    private static readonly Dictionary<string, string> Locators = new()
    {
        ["q"] = "Q", ["not"] = "NOT", ["min_relevance"] = "MIN_RELEVANCE", ["limit"] = "COUNT", ["offset"] = "STARTINDEX", ["bbox"] = "BBOX",
    };

    /// <summary>
    /// Reads the request; on feature types other than chips Q, NOT and MIN_RELEVANCE are ignored (a connection URL
    /// with Q serves every layer), on chips NOT and MIN_RELEVANCE need Q.
    /// </summary>
    public static WfsGetFeatureRequest Read(QueryReader query, ApiOptions options, bool chips)
    {
        var count = query.String(CountParameter.Name) is not null ? CountParameter : MaxFeatures;
        var request = new WfsGetFeatureRequest(
            Ows(() => R.Limit(query, count, options.MaxLimit, options.MaxLimit, clamp: true)),
            Ows(() => R.Offset(query, StartIndexParameter)),
            Ows(() => R.Text(query, Q)),
            Ows(() => R.Core(() => CatalogQuery.CheckTerms(R.Terms(query, NotParameter), "not"), Locators)),
            Ows(() => R.Core(() => CatalogQuery.CheckMinRelevance(R.Number(query, MinRelevanceParameter)), Locators)),
            query.String(BboxParameter.Name) is { } box ? WfsBbox(box, WfsCrs.Default) : null);
        if (!chips) return request with { Text = null, Not = null, MinRelevance = null };
        _ = request.Query(null, null, hits: false); // the cross-field rules (NOT and MIN_RELEVANCE need Q)
        return request;
    }

    /// <summary>The chip search of this request (one feature when only the number of hits is asked for).</summary>
    public CatalogQuery Query(FilterNode? where, IReadOnlyList<SortClause>? sortBy, bool hits) =>
        Ows(() => R.Core(() => new CatalogQuery(Text: Text, Bbox: Bbox, Limit: hits ? 1 : Count, Offset: StartIndex, Where: where, SortBy: sortBy,
            Not: Not, MinRelevance: MinRelevance), Locators));

    /// <summary>"a,b,c,d[,crs]": the WFS form of a box, turned into lon/lat by the CRS's axis order.</summary>
    public static BoundingBox WfsBbox(string text, string defaultCrs)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is not (4 or 5))
            throw new OwsException("InvalidParameterValue", "BBOX", $"BBOX '{text}' must be four numbers and an optional CRS: a,b,c,d[,crs]");
        var v = Ows(() => R.Core(() => BoundingBox.ParseNumbers(string.Join(',', parts.Take(4)), 4), Locators));
        var latLon = WfsCrs.IsLatLon(parts.Length == 5 ? parts[4] : defaultCrs, "BBOX");
        return Corners(v[0], v[1], v[2], v[3], latLon, "BBOX");
    }

    /// <summary>Lower corner (a, b) and upper corner (c, d) in the CRS's axis order; the rule for boxes past the world is <see cref="BoundingBox.Clamped"/>.</summary>
    public static BoundingBox Corners(double a, double b, double c, double d, bool latLon, string locator)
    {
        var (minX, minY, maxX, maxY) = latLon ? (b, a, d, c) : (a, b, c, d);
        try
        {
            return BoundingBox.Clamped(minX, minY, maxX, maxY);
        }
        catch (InputException e)
        {
            throw new OwsException("InvalidParameterValue", locator, e.Message + (latLon ? " (this CRS is latitude first: minlat,minlon,maxlat,maxlon)" : ""));
        }
    }

    private static T Ows<T>(Func<T> read)
    {
        try { return read(); }
        catch (ParameterException e) { throw new OwsException("InvalidParameterValue", Locators.GetValueOrDefault(e.Parameter, e.Parameter), e.Message); }
    }
}
