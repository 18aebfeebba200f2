using System.Globalization;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Requests;

/// <summary>
/// Every query parameter of the JSON API and OGC API - Features, declared once (name, meaning, schema). The request
/// types (<see cref="SearchRequest"/>, <see cref="ChangeRequest"/>, <see cref="OgcItemsRequest"/>,
/// <see cref="WfsGetFeatureRequest"/>) list which ones they accept; the rules behind the values live in the Core
/// request types (<see cref="CatalogQuery"/>, <see cref="ChangeQuery"/>, <see cref="BoundingBox"/>, <see cref="TimeRange"/>).
/// </summary>
internal static class Parameters
{
    public const string Crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

    public static readonly Parameter Bbox = new("bbox",
        "minx,miny,maxx,maxy in CRS84 degrees; OGC API also takes 6 numbers with heights and a west edge beyond the east edge (the box crosses the antimeridian); values past the world are cut to it",
        Schema.Array("number", minItems: 4, maxItems: 6), CommaList: true);
    public static readonly Parameter BboxCrs = new("bbox-crs", $"the CRS of bbox: only {Crs84}", Schema.String(format: "uri", values: [Crs84]));
    public static readonly Parameter Datetime = new("datetime", "an instant (2020-08-31, 2020-08-31T10:00:00Z) or an interval a/b with open ends '..'", Schema.String());
    public static readonly Parameter Limit = new("limit", "page size; OGC API: values above the maximum are treated as the maximum",
        Schema.Integer(1, @default: 10, maxIsServerLimit: true));
    public static readonly Parameter Offset = new("offset", "how many features to skip (the next link sets it)", Schema.Integer(0, CatalogQuery.MaxOffset, 0));
    public static readonly Parameter Q = new("q",
        "chips: a natural-language query; features are ordered by and carry the property score. changes: rank places whose later chip moved towards the text",
        Schema.String(CatalogQuery.MaxTextLength));
    public static readonly Parameter Not = new("not",
        "chips only, with q: terms to push the ranking away from, comma-separated (not=clouds,haze); each term's similarity counts against a chip at half weight, shared among the terms",
        Schema.Array("string", maxItems: CatalogQuery.MaxNotTerms, minLength: 1), CommaList: true);
    public static readonly Parameter MinScore = new("min_score", "chips only, with q: the lowest score returned", Schema.Number(-1, 1));
    public static readonly Parameter MinRelevance = new("min_relevance",
        "chips only, with q: the least calibrated relevance (probability of a match, property relevance); default " +
        CatalogQuery.DefaultMinRelevance.ToString(CultureInfo.InvariantCulture) +
        " for text queries. When nothing reaches it the page is empty and the collection's member search.message says how close the best chip came",
        Schema.Number(0, 1));
    public static readonly Parameter Group = new("group",
        "chips only, with q: chip (one feature per chip) or place (the best chip of each place, its other dates in the property other_dates; limit, offset and numberMatched count places)",
        Schema.String(values: ["chip", "place"], @default: "chip"));
    public static readonly Parameter Model = new("model", "chips and changes: the embedding model (default: the server's); GET /models lists them", Schema.String(100));
    public static readonly Parameter Like = new("like", "chips: ids of example chips to rank towards", Schema.Array("integer", maxItems: CatalogQuery.MaxExamples), CommaList: true);
    public static readonly Parameter Unlike = new("unlike", "chips, with q or like: ids of chips to rank away from", Schema.Array("integer", maxItems: CatalogQuery.MaxExamples), CommaList: true);
    public static readonly Parameter F = new("f", "response format", Schema.String(values: ["json", "html"]), CommaList: true);

    public static readonly Parameter From = new("from", "changes: the earliest acquisition date to compare (default: the first)", Schema.String());
    public static readonly Parameter To = new("to", "changes: the latest acquisition date to compare (default: the last)", Schema.String());
    public static readonly Parameter FromQ = new("from_q", "changes only: what the place showed at the earlier date", Schema.String(CatalogQuery.MaxTextLength));
    public static readonly Parameter ToQ = new("to_q", "changes only: what the place shows at the later date", Schema.String(CatalogQuery.MaxTextLength));
    public static readonly Parameter Iou = new("iou", "changes only: least footprint intersection over union of two chips of other grids",
        Schema.Number(ChangeQuery.LeastMinIoU, 1, ChangeQuery.DefaultMinIoU));
    public static readonly Parameter Normalise = new("normalise", "changes only: divide by each place's typical change between successive dates", Schema.Boolean());
    public static readonly Parameter Pairs = new("pairs", "changes only: span (first vs last date of each place) or consecutive",
        Schema.String(values: ["span", "consecutive"], @default: "span"));

    public static readonly Parameter Filter = new("filter", "chips, scenes: a CQL2 text filter on the queryables (/collections/{collectionId}/queryables)", Schema.String());
    public static readonly Parameter FilterLang = new("filter-lang", "the language of filter", Schema.String(values: ["cql2-text", "cql-text"], @default: "cql2-text"));
    public static readonly Parameter FilterCrs = new("filter-crs", $"the CRS of filter geometries: only {Crs84}", Schema.String(format: "uri", values: [Crs84]));
    public static readonly Parameter SortBy = new("sortby", "chips, scenes: queryables, - for descending (-acquired,level); a ranked query is ordered by score",
        Schema.Array("string"), CommaList: true);
    public static readonly Parameter Properties = new("properties", "the properties to return", Schema.Array("string"), CommaList: true);
    public static readonly Parameter SkipGeometry = new("skipGeometry", "true: features without geometry", Schema.Boolean());
    public static readonly Parameter Crs = new("crs", $"the CRS of the response: only {Crs84}", Schema.String(format: "uri", values: [Crs84]));

    public static readonly Parameter Size = new("size", "thumbnail size in pixels (16 to 1024)", Schema.Integer(16, 1024, 256));
    public static readonly Parameter Layer = new("layer", "the layer name in the GeoPackage", Schema.String());

    /// <summary>The names of <paramref name="parameters"/>, for <see cref="Http.QueryReader.Only"/>.</summary>
    public static string[] Names(IEnumerable<Parameter> parameters) => parameters.Select(p => p.Name).Distinct().ToArray();
}
