using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RsGeoSearch.Api.Features;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Api.Ogc;
using RsGeoSearch.Api.Requests;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Api.Endpoints;

/// <summary>
/// OGC API - Features Part 1 (Core, GeoJSON, OpenAPI 3.0, HTML) at /ogc with collections "chips", "scenes" and
/// "changes" (served by <see cref="ChangeEndpoints"/>).
/// Unknown query parameters are 400; limit defaults to 10 and is clamped to <see cref="ApiOptions.MaxLimit"/>.
/// </summary>
internal static class OgcEndpoints
{
    public const string Crs84 = Parameters.Crs84;
    private const string Json = "application/json";
    private const string TextHtml = "text/html";

    private static readonly string[] Conformance =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    ];

    private static readonly Dictionary<string, (string Title, string Description)> Collections = new()
    {
        ["chips"] = ("Image chips", "Tiles cut from the scenes at several zoom levels; search them with the q parameter (natural language)."),
        ["scenes"] = ("Scenes", "Source rasters: footprint, acquisition time, size and chip count."),
        ["changes"] = ("Changes", "Places that changed between two acquisition dates (datetime=a/b), ranked by embedding change or by q / from_q / to_q; see GET /changes."),
    };

    public static void Map(IEndpointRouteBuilder app, ApiOptions options)
    {
        var ogc = app.MapGroup("/ogc");

        app.MapGet("/ogc", (HttpContext context) => Landing(context, options)); // also answers /ogc/

        ogc.MapGet("/conformance", (HttpContext context) =>
        {
            var query = new QueryReader(context.Request.Query).Only(OgcSearch.With(Parameters.F));
            OgcSearch.Read(context, query);
            if (OgcFormat.IsHtml(context, query))
                return new Html().H(1, "Conformance").LinkList(Conformance.Select(c => (c, c))).Result("Conformance");
            return Results.Bytes(JsonBody.Write(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("conformsTo");
                foreach (var c in Conformance) w.WriteStringValue(c);
                w.WriteEndArray();
                w.WriteEndObject();
            }), Json);
        });

        ogc.MapGet("/api", (HttpContext context) =>
        {
            var query = new QueryReader(context.Request.Query).Only(OgcSearch.With(Parameters.F));
            var search = OgcSearch.Read(context, query);
            var ogcUrl = Links.Base(context, options) + "/ogc";
            if (OgcFormat.IsHtml(context, query))
                return new Html().H(1, $"{options.Title} OGC API - Features")
                    .P("Paths (relative to " + ogcUrl + "); the machine-readable document is linked below.")
                    .LinkList([(ogcUrl + "/api?f=json", "OpenAPI 3.0 document (JSON)"), (ogcUrl + "/collections", "/collections"),
                               (ogcUrl + "/collections/chips/items?q=farmland&f=html", "/collections/chips/items?q=farmland")])
                    .Table(["parameter of /collections/{collectionId}/items", "meaning"],
                        OgcItemsRequest.AnyCollection.Select(p => (IReadOnlyList<string>)[Html.E(p.Name), Html.E(p.Description)]))
                    .Result("API");
            return Results.Bytes(OgcOpenApi.Build(ogcUrl, options.Title, options.MaxLimit, search.IsRanked), OgcOpenApi.ContentType);
        });

        ogc.MapGet("/collections", async (HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var query = new QueryReader(context.Request.Query).Only(OgcSearch.With(Parameters.F));
            var search = OgcSearch.Read(context, query);
            var html = OgcFormat.IsHtml(context, query);
            var extent = await catalog.GetExtentAsync(ct);
            var b = Links.Base(context, options) + "/ogc";
            if (html)
                return new Html().H(1, "Collections")
                    .Table(["collection", "description", "items"], Collections.Select(kv => (IReadOnlyList<string>)
                        [$"<a href=\"{Html.E(search.Link($"{b}/collections/{kv.Key}?f=html"))}\">{Html.E(kv.Value.Title)}</a>", Html.E(kv.Value.Description),
                         $"<a href=\"{Html.E(search.Link($"{b}/collections/{kv.Key}/items?f=html"))}\">items</a>"]))
                    .Result("Collections");
            return Results.Bytes(JsonBody.Write(w =>
            {
                w.WriteStartObject();
                CollectionJson.WriteLinks(w,
                [
                    new(search.Link($"{b}/collections"), "self", Json, "collections"),
                    new(search.Link($"{b}/collections?f=html"), "alternate", TextHtml, "collections as HTML"),
                ]);
                w.WriteStartArray("collections");
                foreach (var id in Collections.Keys) WriteCollection(w, id, b, extent, search);
                w.WriteEndArray();
                w.WriteEndObject();
            }), Json);
        });

        ogc.MapGet("/collections/{collectionId}", async (string collectionId, HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var query = new QueryReader(context.Request.Query).Only(OgcSearch.With(Parameters.F));
            var search = OgcSearch.Read(context, query);
            var info = Collection(collectionId);
            var html = OgcFormat.IsHtml(context, query);
            var extent = await catalog.GetExtentAsync(ct);
            var b = Links.Base(context, options) + "/ogc";
            if (html)
                return new Html().H(1, info.Title).P(info.Description)
                    .P($"Extent: {extent.Spatial?.ToString() ?? "none"}; {extent.Start:yyyy-MM-dd} to {extent.End:yyyy-MM-dd}; {extent.SceneCount} scenes, {extent.ChipCount} chips.")
                    .LinkList([(search.Link($"{b}/collections/{collectionId}/items?f=html"), "items"), (search.Link($"{b}/collections/{collectionId}?f=json"), "JSON")])
                    .Result(info.Title);
            return Results.Bytes(JsonBody.Write(w => WriteCollection(w, collectionId, b, extent, search)), Json);
        });

        ogc.MapGet("/collections/{collectionId}/queryables", (string collectionId, HttpContext context) =>
        {
            var query = new QueryReader(context.Request.Query).Only(OgcSearch.With(Parameters.F));
            var search = OgcSearch.Read(context, query);
            var info = Collection(collectionId);
            var url = Links.Base(context, options) + $"/ogc/collections/{collectionId}/queryables";
            var properties = collectionId == "changes" ? [] : FeatureSchema.Of(collectionId).Where(p => p.Queryable && (!p.RankedOnly || search.IsRanked)).ToList();
            if (OgcFormat.IsHtml(context, query))
                return new Html().H(1, $"Queryables of {info.Title}").P("Properties usable in filter (filter-lang=cql2-text) and sortby.")
                    .Table(["property", "type", "description"], properties.Select(p => (IReadOnlyList<string>)[Html.E(p.Name), Html.E(p.Type.ToString().ToLowerInvariant()), Html.E(p.Description)]))
                    .Result("Queryables");
            return Results.Bytes(JsonBody.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("$schema", "https://json-schema.org/draft/2019-09/schema");
                w.WriteString("$id", url);
                w.WriteString("type", "object");
                w.WriteString("title", info.Title);
                w.WriteStartObject("properties");
                foreach (var p in properties)
                {
                    w.WriteStartObject(p.Name);
                    w.WriteString("title", p.Name);
                    w.WriteString("description", p.Description);
                    var (type, format) = p.JsonSchema;
                    if (type is not null) w.WriteString("type", type);
                    if (format is not null) w.WriteString("format", format);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteBoolean("additionalProperties", false);
                w.WriteEndObject();
            }), "application/schema+json");
        });

        ogc.MapGet("/collections/{collectionId}/items", async (string collectionId, HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var info = Collection(collectionId);
            var isChips = collectionId == "chips";
            var query = new QueryReader(context.Request.Query);
            if (collectionId == "changes") return await ChangeEndpoints.OgcItemsAsync(context, catalog, options, query, ct);
            var schema = FeatureSchema.Of(collectionId);
            var queryableNames = schema.Where(p => p.Queryable && p.Type != PropertyType.Geometry).Select(p => p.Name);
            OgcItemsRequest.Only(query, queryableNames);
            var search = OgcSearch.Read(context, query);
            var ranked = isChips && search.IsRanked; // scenes ignore the search parameters
            var html = OgcFormat.IsHtml(context, query);
            var (bbox, halves, time, limit, offset) = OgcItemsRequest.ReadPage(query, options);
            var crossing = halves is null ? null : Parameter("bbox", () => new SpatialNode(FeatureSchema.Chips[0], SpatialRelation.Intersects,
                Cql2Parser.BoxGeometry(halves.West.MinX, halves.West.MinY, halves.East.MaxX, halves.West.MaxY, 0)));
            var where = Where(query, schema, ranked, crossing, dated: query.String(Parameters.Datetime.Name) is not null);
            var sortBy = Parameter("sortby", () => SortByReader.Parse(query.String("sortby"), schema, ranked));
            var (properties, skipGeometry) = Projection(query, schema);
            var baseUrl = Links.Base(context, options);
            var type = html ? TextHtml : CollectionJson.GeoJson;
            if (isChips)
            {
                var request = search.Query(bbox, time, limit, offset, where, sortBy);
                var page = await catalog.SearchAsync(request, ct);
                var links = PageLinks(context, options, collectionId, offset, limit, page.Items.Count, page.NumberMatched, type);
                if (html) return OgcHtml.Chips(info.Title, page, baseUrl, links, ranked);
                return GeoJson(OgcProjection.Apply(CollectionJson.Chips(page, baseUrl, links, withScore: ranked), properties, skipGeometry));
            }
            var (scenes, matched) = await catalog.ListScenesAsync(bbox, time, limit, offset, ct, where, sortBy);
            var sceneLinks = PageLinks(context, options, collectionId, offset, limit, scenes.Count, matched, type);
            if (html) return OgcHtml.Scenes(info.Title, scenes, matched, sceneLinks);
            return GeoJson(OgcProjection.Apply(CollectionJson.Scenes(scenes, matched, sceneLinks), properties, skipGeometry));
        });

        ogc.MapGet("/collections/{collectionId}/items/{featureId}", async (string collectionId, string featureId, HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var info = Collection(collectionId);
            if (collectionId == "changes")
                return await ChangeEndpoints.OgcItemAsync(featureId, context, catalog, options, new QueryReader(context.Request.Query).Only(OgcSearch.With(Parameters.F)), ct);
            var query = new QueryReader(context.Request.Query).Only(OgcSearch.With(Parameters.F));
            OgcSearch.Read(context, query); // accepted (clients append the connection URL's query) but a single feature has no rank
            var html = OgcFormat.IsHtml(context, query);
            if (!long.TryParse(featureId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                throw new NotFoundException($"feature '{featureId}' does not exist in {collectionId}; feature ids are integers");
            var baseUrl = Links.Base(context, options);
            var b = baseUrl + "/ogc";
            List<Link> links =
            [
                new($"{b}/collections/{collectionId}/items/{id}", "self", CollectionJson.GeoJson, "this feature"),
                new($"{b}/collections/{collectionId}/items/{id}?f=html", "alternate", TextHtml, "this feature as HTML"),
                new($"{b}/collections/{collectionId}", "collection", Json, info.Title),
            ];
            if (collectionId == "chips")
            {
                var chip = await catalog.GetChipAsync(id, ct) ?? throw new NotFoundException($"chip {id} does not exist");
                if (html) return OgcHtml.Chip(chip, baseUrl);
                return Results.Bytes(WithLinks(w => FeatureJson.WriteChip(w, new ScoredChip(chip, null), baseUrl, withScore: false), links), CollectionJson.GeoJson);
            }
            var scene = await catalog.GetSceneAsync(id, ct) ?? throw new NotFoundException($"scene {id} does not exist");
            if (html) return OgcHtml.Scenes($"Scene {id}", [scene], 1, []);
            return Results.Bytes(WithLinks(w => FeatureJson.WriteScene(w, scene), links), CollectionJson.GeoJson);
        });
    }

    private static IResult Landing(HttpContext context, ApiOptions options)
    {
        var query = new QueryReader(context.Request.Query).Only(OgcSearch.With(Parameters.F));
        var search = OgcSearch.Read(context, query);
        var b = Links.Base(context, options) + "/ogc";
        List<Link> links =
        [
            new(search.Link(b), "self", Json, "this document"),
            new(search.Link($"{b}?f=html"), "alternate", TextHtml, "this document as HTML"),
            new(search.Link($"{b}/api"), "service-desc", OgcOpenApi.ContentType, "the API definition (OpenAPI 3.0)"),
            new(search.Link($"{b}/api?f=html"), "service-doc", TextHtml, "the API documentation"),
            new(search.Link($"{b}/conformance"), "conformance", Json, "conformance classes"),
            new(search.Link($"{b}/collections"), "data", Json, "feature collections"),
        ];
        if (OgcFormat.IsHtml(context, query))
            return new Html().H(1, options.Title).P("OGC API - Features: image chips and scenes, searchable in natural language (q).")
                .LinkList([(search.Link($"{b}/collections?f=html"), "Collections"), (search.Link($"{b}/conformance?f=html"), "Conformance"), (search.Link($"{b}/api?f=html"), "API documentation"), (search.Link($"{b}/api"), "OpenAPI 3.0 (JSON)")])
                .Result(options.Title);
        return Results.Bytes(JsonBody.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("title", options.Title);
            w.WriteString("description", "Natural-language search over georeferenced satellite imagery: chips and scenes as OGC API - Features.");
            CollectionJson.WriteLinks(w, links);
            w.WriteEndObject();
        }), Json);
    }

    private static (string Title, string Description) Collection(string id) =>
        Collections.TryGetValue(id, out var info) ? info : throw new NotFoundException($"collection '{id}' does not exist; collections: {string.Join(", ", Collections.Keys)}");

    private static void WriteCollection(System.Text.Json.Utf8JsonWriter w, string id, string b, CatalogExtent extent, OgcSearch search)
    {
        var info = Collections[id];
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("title", info.Title);
        w.WriteString("description", info.Description);
        CollectionJson.WriteLinks(w,
        [
            new(search.Link($"{b}/collections/{id}"), "self", Json, info.Title),
            new(search.Link($"{b}/collections/{id}?f=html"), "alternate", TextHtml, info.Title + " as HTML"),
            new(search.Link($"{b}/collections/{id}/items"), "items", CollectionJson.GeoJson, info.Title + " items"),
            new(search.Link($"{b}/collections/{id}/items?f=html"), "items", TextHtml, info.Title + " items as HTML"),
            new(search.Link($"{b}/collections/{id}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "properties usable in filter and sortby"),
        ]);
        w.WriteStartObject("extent");
        w.WriteStartObject("spatial");
        w.WriteStartArray("bbox");
        var s = extent.Spatial ?? BoundingBox.World;
        w.WriteStartArray();
        w.WriteNumberValue(s.MinX); w.WriteNumberValue(s.MinY); w.WriteNumberValue(s.MaxX); w.WriteNumberValue(s.MaxY);
        w.WriteEndArray();
        w.WriteEndArray();
        w.WriteString("crs", Crs84);
        w.WriteEndObject();
        w.WriteStartObject("temporal");
        w.WriteStartArray("interval");
        w.WriteStartArray();
        if (extent.Start is { } start) w.WriteStringValue(FeatureJson.FormatTime(start)); else w.WriteNullValue();
        if (extent.End is { } end) w.WriteStringValue(FeatureJson.FormatTime(end)); else w.WriteNullValue();
        w.WriteEndArray();
        w.WriteEndArray();
        w.WriteString("trs", "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("itemType", "feature");
        w.WriteStartArray("crs");
        w.WriteStringValue(Crs84);
        w.WriteEndArray();
        w.WriteString("storageCrs", Crs84);
        w.WriteEndObject();
    }

    /// <summary>
    /// The property filter of an items request: filter (cql2-text), queryable=value equalities, the
    /// antimeridian halves of bbox, and - when datetime is given at all, even ../.. - only dated features.
    /// </summary>
    private static FilterNode? Where(QueryReader query, IReadOnlyList<FeatureProperty> schema, bool ranked, FilterNode? crossing, bool dated)
    {
        var parts = new List<FilterNode>();
        var lang = query.String("filter-lang");
        if (lang is not null && lang is not ("cql2-text" or "cql-text"))
            throw new ParameterException("filter-lang", $"filter-lang '{lang}' is not supported; use cql2-text");
        ParameterReaders.Crs84Only(query, Parameters.FilterCrs);
        ParameterReaders.Crs84Only(query, Parameters.Crs);
        if (query.String("filter") is { } filter) parts.Add(Parameter("filter", () => Cql2Parser.Parse(filter, schema, ranked)));
        foreach (var p in schema.Where(p => p.Queryable && p.Type != PropertyType.Geometry))
            if (query.String(p.Name) is { } value)
            {
                if (p.RankedOnly && !ranked) throw new ParameterException(p.Name, $"{p.Name} exists only when q (or like) ranks the features");
                parts.Add(new CompareNode(p, Comparison.Equal, Parameter(p.Name, () => FilterValues.Coerce(p, value, 0))));
            }
        if (crossing is not null) parts.Add(crossing);
        if (dated) parts.Add(new NotNode(new IsNullNode(schema.First(p => p.Name == "acquired"))));
        return parts.Count switch { 0 => null, 1 => parts[0], _ => new AndNode(parts) };
    }

    /// <summary>properties (a list of names to keep) and skipGeometry (true/false).</summary>
    private static (HashSet<string>? Properties, bool SkipGeometry) Projection(QueryReader query, IReadOnlyList<FeatureProperty> schema)
    {
        var skip = ParameterReaders.Flag(query, Parameters.SkipGeometry);
        if (query.String("properties") is not { } text) return (null, skip);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!schema.Any(p => p.Name == name && p.Type != PropertyType.Geometry))
                throw new ParameterException("properties", $"'{name}' is not a property; properties: {string.Join(", ", schema.Where(p => p.Type != PropertyType.Geometry).Select(p => p.Name))}");
            names.Add(name);
        }
        return (names, skip);
    }

    /// <summary>Runs a parse; a <see cref="FilterException"/> becomes a 400 naming the parameter.</summary>
    private static T Parameter<T>(string name, Func<T> parse)
    {
        try { return parse(); }
        catch (FilterException e) { throw new ParameterException(name, $"{name}: {e.Message}"); }
    }

    private static IResult GeoJson(byte[] body) => Results.Bytes(body, CollectionJson.GeoJson);

    /// <summary>self, next/prev, the other format and the collection: the links of one page of a collection's items.</summary>
    internal static List<Link> PageLinks(HttpContext context, ApiOptions options, string collectionId, int offset, int limit, int returned, long matched, string type)
    {
        var links = CollectionJson.PageLinks(context, options, offset, limit, returned, matched, type);
        var b = Http.Links.Base(context, options) + "/ogc";
        var html = type == TextHtml;
        links.Add(new(Http.Links.WithQuery(context, options, ("f", html ? "json" : "html")), "alternate", html ? CollectionJson.GeoJson : TextHtml, "this page as " + (html ? "GeoJSON" : "HTML")));
        links.Add(new($"{b}/collections/{collectionId}", "collection", Json, Collections[collectionId].Title));
        return links;
    }

    private static byte[] WithLinks(Action<System.Text.Json.Utf8JsonWriter> writeFeature, IReadOnlyList<Link> links)
    {
        // Write the feature, then splice "links" in before its closing brace.
        var feature = JsonBody.Write(writeFeature);
        var linkJson = JsonBody.Write(w => { w.WriteStartObject(); CollectionJson.WriteLinks(w, links); w.WriteEndObject(); });
        return [.. feature.AsSpan(0, feature.Length - 1), (byte)',', .. linkJson.AsSpan(1)];
    }
}
