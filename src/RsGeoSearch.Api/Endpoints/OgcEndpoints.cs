using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RsGeoSearch.Api.Features;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Api.Ogc;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Endpoints;

/// <summary>
/// OGC API - Features Part 1 (Core, GeoJSON, OpenAPI 3.0, HTML) at /ogc with collections "chips", "scenes" and
/// "changes" (served by <see cref="ChangeEndpoints"/>).
/// Unknown query parameters are 400; limit defaults to 10 and is clamped to <see cref="ApiOptions.MaxLimit"/>.
/// </summary>
internal static class OgcEndpoints
{
    public const string Crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    private const string Json = "application/json";
    private const string TextHtml = "text/html";

    private static readonly string[] Conformance =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
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
            var query = new QueryReader(context.Request.Query).Only("f");
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
            var query = new QueryReader(context.Request.Query).Only("f");
            var ogcUrl = Links.Base(context, options) + "/ogc";
            if (OgcFormat.IsHtml(context, query))
                return new Html().H(1, $"{options.Title} OGC API - Features")
                    .P("Paths (relative to " + ogcUrl + "); the machine-readable document is linked below.")
                    .LinkList([(ogcUrl + "/api?f=json", "OpenAPI 3.0 document (JSON)"), (ogcUrl + "/collections", "/collections"),
                               (ogcUrl + "/collections/chips/items?q=farmland&f=html", "/collections/chips/items?q=farmland")])
                    .Table(["parameter of /collections/{collectionId}/items", "meaning"],
                    [
                        ["bbox", "minx,miny,maxx,maxy in CRS84 degrees"], ["datetime", "instant or interval a/b, open ends '..'"],
                        ["limit", $"page size, default 10, at most {options.MaxLimit}"], ["offset", "features to skip"],
                        ["q", "chips: natural-language query; adds properties score and relevance"], ["not", "chips: terms to push away from, comma-separated"],
                        ["min_score", "chips: lowest score"], ["min_relevance", $"chips: lowest calibrated relevance, 0..1 (default {CatalogQuery.DefaultMinRelevance} with q)"],
                        ["group", "chips: chip (default) or place (best chip per place, other dates listed)"],
                        ["model", "chips: embedding model"], ["f", "json or html"],
                    ]).Result("API");
            return Results.Bytes(OgcOpenApi.Build(ogcUrl, options.Title, options.MaxLimit), OgcOpenApi.ContentType);
        });

        ogc.MapGet("/collections", async (HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var query = new QueryReader(context.Request.Query).Only("f");
            var html = OgcFormat.IsHtml(context, query);
            var extent = await catalog.GetExtentAsync(ct);
            var b = Links.Base(context, options) + "/ogc";
            if (html)
                return new Html().H(1, "Collections")
                    .Table(["collection", "description", "items"], Collections.Select(kv => (IReadOnlyList<string>)
                        [$"<a href=\"{Html.E($"{b}/collections/{kv.Key}?f=html")}\">{Html.E(kv.Value.Title)}</a>", Html.E(kv.Value.Description),
                         $"<a href=\"{Html.E($"{b}/collections/{kv.Key}/items?f=html")}\">items</a>"]))
                    .Result("Collections");
            return Results.Bytes(JsonBody.Write(w =>
            {
                w.WriteStartObject();
                CollectionJson.WriteLinks(w,
                [
                    new($"{b}/collections", "self", Json, "collections"),
                    new($"{b}/collections?f=html", "alternate", TextHtml, "collections as HTML"),
                ]);
                w.WriteStartArray("collections");
                foreach (var id in Collections.Keys) WriteCollection(w, id, b, extent);
                w.WriteEndArray();
                w.WriteEndObject();
            }), Json);
        });

        ogc.MapGet("/collections/{collectionId}", async (string collectionId, HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var query = new QueryReader(context.Request.Query).Only("f");
            var info = Collection(collectionId);
            var html = OgcFormat.IsHtml(context, query);
            var extent = await catalog.GetExtentAsync(ct);
            var b = Links.Base(context, options) + "/ogc";
            if (html)
                return new Html().H(1, info.Title).P(info.Description)
                    .P($"Extent: {extent.Spatial?.ToString() ?? "none"}; {extent.Start:yyyy-MM-dd} to {extent.End:yyyy-MM-dd}; {extent.SceneCount} scenes, {extent.ChipCount} chips.")
                    .LinkList([($"{b}/collections/{collectionId}/items?f=html", "items"), ($"{b}/collections/{collectionId}?f=json", "JSON")])
                    .Result(info.Title);
            return Results.Bytes(JsonBody.Write(w => WriteCollection(w, collectionId, b, extent)), Json);
        });

        ogc.MapGet("/collections/{collectionId}/items", async (string collectionId, HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var info = Collection(collectionId);
            var isChips = collectionId == "chips";
            var query = new QueryReader(context.Request.Query);
            if (collectionId == "changes") return await ChangeEndpoints.OgcItemsAsync(context, catalog, options, query, ct);
            if (isChips) query.Only("bbox", "bbox-crs", "datetime", "limit", "offset", "q", "not", "min_score", "min_relevance", "group", "model", "f");
            else query.Only("bbox", "bbox-crs", "datetime", "limit", "offset", "f");
            var html = OgcFormat.IsHtml(context, query);
            var bbox = OgcBbox(query);
            var time = query.Time();
            var limit = query.Int("limit", 10, 1, options.MaxLimit, clamp: true);
            var offset = query.Int("offset", 0, 0, 10_000_000);
            var baseUrl = Links.Base(context, options);
            var type = html ? TextHtml : CollectionJson.GeoJson;
            if (isChips)
            {
                var text = ChipQueryReader.Text(query);
                var request = ChipQueryReader.Ranking(query, new CatalogQuery(Text: text, Bbox: bbox, Time: time, Limit: limit, Offset: offset,
                    MinScore: query.Double("min_score", -1, 1), Model: ChipQueryReader.Model(query)));
                if (text is null && (request.Not is not null || request.MinRelevance is not null || request.Group != SearchGrouping.Chip))
                    throw new ParameterException(request.Not is not null ? "not" : request.MinRelevance is not null ? "min_relevance" : "group", "not, min_relevance and group need q");
                var page = await catalog.SearchAsync(request, ct);
                var links = PageLinks(context, options, collectionId, offset, limit, page.Items.Count, page.NumberMatched, type);
                if (html) return OgcHtml.Chips(info.Title, page, baseUrl, links, text is not null);
                return Results.Bytes(CollectionJson.Chips(page, baseUrl, links, withScore: text is not null), CollectionJson.GeoJson);
            }
            var (scenes, matched) = await catalog.ListScenesAsync(bbox, time, limit, offset, ct);
            var sceneLinks = PageLinks(context, options, collectionId, offset, limit, scenes.Count, matched, type);
            if (html) return OgcHtml.Scenes(info.Title, scenes, matched, sceneLinks);
            return Results.Bytes(CollectionJson.Scenes(scenes, matched, sceneLinks), CollectionJson.GeoJson);
        });

        ogc.MapGet("/collections/{collectionId}/items/{featureId}", async (string collectionId, string featureId, HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var info = Collection(collectionId);
            if (collectionId == "changes")
                return await ChangeEndpoints.OgcItemAsync(featureId, context, catalog, options, new QueryReader(context.Request.Query).Only("f", "model"), ct);
            var query = new QueryReader(context.Request.Query).Only("f");
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
        var query = new QueryReader(context.Request.Query).Only("f");
        var b = Links.Base(context, options) + "/ogc";
        List<Link> links =
        [
            new(b, "self", Json, "this document"),
            new($"{b}?f=html", "alternate", TextHtml, "this document as HTML"),
            new($"{b}/api", "service-desc", OgcOpenApi.ContentType, "the API definition (OpenAPI 3.0)"),
            new($"{b}/api?f=html", "service-doc", TextHtml, "the API documentation"),
            new($"{b}/conformance", "conformance", Json, "conformance classes"),
            new($"{b}/collections", "data", Json, "feature collections"),
        ];
        if (OgcFormat.IsHtml(context, query))
            return new Html().H(1, options.Title).P("OGC API - Features: image chips and scenes, searchable in natural language (q).")
                .LinkList([($"{b}/collections?f=html", "Collections"), ($"{b}/conformance?f=html", "Conformance"), ($"{b}/api?f=html", "API documentation"), ($"{b}/api", "OpenAPI 3.0 (JSON)")])
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

    private static void WriteCollection(System.Text.Json.Utf8JsonWriter w, string id, string b, CatalogExtent extent)
    {
        var info = Collections[id];
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("title", info.Title);
        w.WriteString("description", info.Description);
        CollectionJson.WriteLinks(w,
        [
            new($"{b}/collections/{id}", "self", Json, info.Title),
            new($"{b}/collections/{id}?f=html", "alternate", TextHtml, info.Title + " as HTML"),
            new($"{b}/collections/{id}/items", "items", CollectionJson.GeoJson, info.Title + " items"),
            new($"{b}/collections/{id}/items?f=html", "items", TextHtml, info.Title + " items as HTML"),
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

    /// <summary>bbox as 4 numbers (or 6 with heights, which are ignored); bbox-crs may only be CRS84.</summary>
    private static BoundingBox? OgcBbox(QueryReader query)
    {
        var crs = query.String("bbox-crs");
        if (crs is not null && crs != Crs84)
            throw new ParameterException("bbox-crs", $"bbox-crs '{crs}' is not supported; the only CRS is {Crs84}");
        var text = query.String("bbox");
        if (text is null) return null;
        var parts = text.Split(',');
        if (parts.Length == 6) text = string.Join(',', parts[0], parts[1], parts[3], parts[4]);
        try { return QueryReader.ClampedBbox(text); }
        catch (InputException e) { throw new ParameterException("bbox", e.Message); }
    }

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
