using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RsGeoSearch.Core.Filtering;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Ogc;

/// <summary>The OpenAPI 3.0 document of the OGC API - Features endpoints at /ogc (served at /ogc/api).</summary>
internal static class OgcOpenApi
{
    public const string ContentType = "application/vnd.oai.openapi+json;version=3.0";

    /// <param name="ranked">The request carries a search (q, like): score is then a queryable of chips.</param>
    public static byte[] Build(string ogcUrl, string title, int maxLimit, bool ranked = false)
    {
        var json = $$"""
        {
          "openapi": "3.0.3",
          "info": { "title": {{Str(title + " OGC API - Features")}}, "version": "1.0.0",
                    "description": "Image chips and scenes with footprints, acquisition times and a natural-language query parameter q." },
          "servers": [ { "url": {{Str(ogcUrl)}} } ],
          "paths": {
            "/": { "get": { "summary": "Landing page", "operationId": "getLandingPage", "tags": ["Capabilities"],
                    "parameters": [ { "$ref": "#/components/parameters/f" } ],
                    "responses": { "200": { "description": "links to the API", "content": { "application/json": {}, "text/html": {} } } } } },
            "/conformance": { "get": { "summary": "Conformance classes", "operationId": "getConformance", "tags": ["Capabilities"],
                    "parameters": [ { "$ref": "#/components/parameters/f" } ],
                    "responses": { "200": { "description": "conformance classes", "content": { "application/json": {}, "text/html": {} } } } } },
            "/api": { "get": { "summary": "This document", "operationId": "getApi", "tags": ["Capabilities"],
                    "parameters": [ { "$ref": "#/components/parameters/f" } ],
                    "responses": { "200": { "description": "the OpenAPI document", "content": { "{{ContentType}}": {}, "text/html": {} } } } } },
            "/collections": { "get": { "summary": "Feature collections", "operationId": "getCollections", "tags": ["Data"],
                    "parameters": [ { "$ref": "#/components/parameters/f" } ],
                    "responses": { "200": { "description": "the collections chips and scenes", "content": { "application/json": {}, "text/html": {} } } } } },
            "/collections/{collectionId}": { "get": { "summary": "One collection", "operationId": "describeCollection", "tags": ["Data"],
                    "parameters": [ { "$ref": "#/components/parameters/collectionId" }, { "$ref": "#/components/parameters/f" } ],
                    "responses": { "200": { "description": "the collection", "content": { "application/json": {}, "text/html": {} } },
                                   "404": { "$ref": "#/components/responses/NotFound" } } } },
            "/collections/{collectionId}/items": { "get": { "summary": "Features of a collection", "operationId": "getFeatures", "tags": ["Data"],
                    "description": "Chips, scenes or changes filtered by bbox and datetime, paged with limit/offset (next/prev links). On chips, q ranks by similarity to a text and adds a score property.",
                    "parameters": [ { "$ref": "#/components/parameters/collectionId" }, { "$ref": "#/components/parameters/limit" },
                                    { "$ref": "#/components/parameters/offset" }, { "$ref": "#/components/parameters/bbox" },
                                    { "$ref": "#/components/parameters/bbox-crs" }, { "$ref": "#/components/parameters/datetime" },
                                    { "$ref": "#/components/parameters/q" }, { "$ref": "#/components/parameters/not" },
                                    { "$ref": "#/components/parameters/min_score" }, { "$ref": "#/components/parameters/min_relevance" },
                                    { "$ref": "#/components/parameters/group" },
                                    { "$ref": "#/components/parameters/model" }, { "$ref": "#/components/parameters/from_q" },
                                    { "$ref": "#/components/parameters/to_q" }, { "$ref": "#/components/parameters/iou" },
                                    { "$ref": "#/components/parameters/normalise" }, { "$ref": "#/components/parameters/pairs" },
                                    { "$ref": "#/components/parameters/like" }, { "$ref": "#/components/parameters/unlike" },
                                    { "$ref": "#/components/parameters/filter" }, { "$ref": "#/components/parameters/filter-lang" },
                                    { "$ref": "#/components/parameters/filter-crs" }, { "$ref": "#/components/parameters/sortby" },
                                    { "$ref": "#/components/parameters/properties" }, { "$ref": "#/components/parameters/skipGeometry" },
                                    { "$ref": "#/components/parameters/crs" }, { "$ref": "#/components/parameters/f" } ],
                    "responses": { "200": { "description": "a GeoJSON FeatureCollection", "content": { "application/geo+json": { "schema": { "$ref": "#/components/schemas/featureCollectionGeoJSON" } }, "text/html": {} } },
                                   "400": { "$ref": "#/components/responses/BadRequest" }, "404": { "$ref": "#/components/responses/NotFound" } } } },
            "/collections/{collectionId}/items/{featureId}": { "get": { "summary": "One feature", "operationId": "getFeature", "tags": ["Data"],
                    "parameters": [ { "$ref": "#/components/parameters/collectionId" }, { "$ref": "#/components/parameters/featureId" }, { "$ref": "#/components/parameters/f" } ],
                    "responses": { "200": { "description": "a GeoJSON Feature", "content": { "application/geo+json": { "schema": { "$ref": "#/components/schemas/featureGeoJSON" } }, "text/html": {} } },
                                   "404": { "$ref": "#/components/responses/NotFound" } } } }
          },
          "components": {
            "parameters": {
              "f": { "name": "f", "in": "query", "required": false, "description": "response format", "schema": { "type": "string", "enum": ["json", "html"] }, "style": "form", "explode": false },
              "collectionId": { "name": "collectionId", "in": "path", "required": true, "schema": { "type": "string", "enum": ["chips", "scenes", "changes"] } },
              "featureId": { "name": "featureId", "in": "path", "required": true, "description": "chips, scenes: an integer id; changes: BEFORE-AFTER chip ids (12-345)", "schema": { "type": "string" } },
              "limit": { "name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
                         "description": "page size; values above the maximum are treated as the maximum",
                         "schema": { "type": "integer", "minimum": 1, "maximum": {{maxLimit}}, "default": 10 } },
              "offset": { "name": "offset", "in": "query", "required": false, "style": "form", "explode": false,
                          "description": "how many features to skip (the next link sets it)", "schema": { "type": "integer", "minimum": 0, "default": 0 } },
              "bbox": { "name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
                        "description": "minx,miny,maxx,maxy in CRS84 degrees (6 numbers with heights also accepted)",
                        "schema": { "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } } },
              "bbox-crs": { "name": "bbox-crs", "in": "query", "required": false, "style": "form", "explode": false,
                            "schema": { "type": "string", "format": "uri", "enum": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"] } },
              "datetime": { "name": "datetime", "in": "query", "required": false, "style": "form", "explode": false,
                            "description": "an instant (2020-08-31, 2020-08-31T10:00:00Z) or an interval a/b with open ends '..'", "schema": { "type": "string" } },
              "q": { "name": "q", "in": "query", "required": false, "style": "form", "explode": false,
                     "description": "chips: a natural-language query; features are ordered by and carry the property score. changes: rank places whose later chip moved towards the text", "schema": { "type": "string", "maxLength": 1000 } },
              "not": { "name": "not", "in": "query", "required": false, "style": "form", "explode": false,
                       "description": "chips only, with q: terms to push the ranking away from, comma-separated (not=clouds,haze); each term's similarity counts against a chip at half weight, shared among the terms",
                       "schema": { "type": "array", "items": { "type": "string", "minLength": 1 }, "maxItems": 20 } },
              "min_relevance": { "name": "min_relevance", "in": "query", "required": false,
                       "description": "chips only, with q: the least calibrated relevance (probability of a match, property relevance); default {{CatalogQuery.DefaultMinRelevance.ToString(System.Globalization.CultureInfo.InvariantCulture)}} for text queries. When nothing reaches it the page is empty and the collection's member search.message says how close the best chip came",
                       "schema": { "type": "number", "minimum": 0, "maximum": 1 } },
              "group": { "name": "group", "in": "query", "required": false,
                       "description": "chips only, with q: chip (one feature per chip) or place (the best chip of each place, its other dates in the property other_dates; limit, offset and numberMatched count places)",
                       "schema": { "type": "string", "enum": ["chip", "place"], "default": "chip" } },
              "min_score": { "name": "min_score", "in": "query", "required": false, "description": "chips only, with q: the lowest score returned", "schema": { "type": "number", "minimum": -1, "maximum": 1 } },
              "model": { "name": "model", "in": "query", "required": false, "description": "chips and changes: the embedding model (default: the server's)", "schema": { "type": "string" } },
              "from_q": { "name": "from_q", "in": "query", "required": false, "description": "changes only: what the place showed at the earlier date", "schema": { "type": "string", "maxLength": 1000 } },
              "to_q": { "name": "to_q", "in": "query", "required": false, "description": "changes only: what the place shows at the later date", "schema": { "type": "string", "maxLength": 1000 } },
              "iou": { "name": "iou", "in": "query", "required": false, "description": "changes only: least footprint intersection over union of two chips of other grids", "schema": { "type": "number", "minimum": 0.01, "maximum": 1, "default": 0.5 } },
              "normalise": { "name": "normalise", "in": "query", "required": false, "description": "changes only: divide by each place's typical change between successive dates", "schema": { "type": "boolean", "default": false } },
              "like": { "name": "like", "in": "query", "required": false, "style": "form", "explode": false, "description": "chips: ids of example chips to rank towards", "schema": { "type": "array", "items": { "type": "integer" } } },
              "unlike": { "name": "unlike", "in": "query", "required": false, "style": "form", "explode": false, "description": "chips, with q or like: ids of chips to rank away from", "schema": { "type": "array", "items": { "type": "integer" } } },
              "filter": { "name": "filter", "in": "query", "required": false, "description": "chips, scenes: a CQL2 text filter on the queryables (/collections/{collectionId}/queryables)", "schema": { "type": "string" } },
              "filter-lang": { "name": "filter-lang", "in": "query", "required": false, "schema": { "type": "string", "enum": ["cql2-text", "cql-text"], "default": "cql2-text" } },
              "filter-crs": { "name": "filter-crs", "in": "query", "required": false, "schema": { "type": "string", "format": "uri", "enum": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"] } },
              "crs": { "name": "crs", "in": "query", "required": false, "schema": { "type": "string", "format": "uri", "enum": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"] } },
              "sortby": { "name": "sortby", "in": "query", "required": false, "style": "form", "explode": false, "description": "chips, scenes: queryables, - for descending (-acquired,level); a ranked query is ordered by score", "schema": { "type": "array", "items": { "type": "string" } } },
              "properties": { "name": "properties", "in": "query", "required": false, "style": "form", "explode": false, "description": "the properties to return", "schema": { "type": "array", "items": { "type": "string" } } },
              "skipGeometry": { "name": "skipGeometry", "in": "query", "required": false, "schema": { "type": "boolean", "default": false } },
              "pairs": { "name": "pairs", "in": "query", "required": false, "description": "changes only: span (first vs last date of each place) or consecutive", "schema": { "type": "string", "enum": ["span", "consecutive"], "default": "span" } }
            },
            "responses": {
              "BadRequest": { "description": "a parameter is invalid or unknown", "content": { "application/problem+json": {} } },
              "NotFound": { "description": "no such collection or feature", "content": { "application/problem+json": {} } }
            },
            "schemas": {
              "featureGeoJSON": { "type": "object", "required": ["type", "geometry", "properties"],
                "properties": { "type": { "type": "string", "enum": ["Feature"] }, "id": { "description": "chips, scenes: the integer id; changes: BEFORE-AFTER chip ids", "oneOf": [ { "type": "integer" }, { "type": "string" } ] },
                                "geometry": { "type": "object", "nullable": true }, "properties": { "type": "object", "nullable": true } } },
              "featureCollectionGeoJSON": { "type": "object", "required": ["type", "features"],
                "properties": { "type": { "type": "string", "enum": ["FeatureCollection"] },
                                "features": { "type": "array", "items": { "$ref": "#/components/schemas/featureGeoJSON" } },
                                "timeStamp": { "type": "string", "format": "date-time" },
                                "numberMatched": { "type": "integer", "minimum": 0 }, "numberReturned": { "type": "integer", "minimum": 0 },
                                "search": { "type": "object", "description": "ranked chip searches: how the answer was found",
                                  "properties": { "plan": { "type": "string", "enum": ["exact", "approximate"] },
                                                  "recall": { "type": "number", "description": "approximate plans: recall@10 the store benchmark measured for this index and filter class" },
                                                  "recall_filter_class": { "type": "string", "enum": ["none", "bbox", "time", "bbox+time"] },
                                                  "min_relevance": { "type": "number" }, "group": { "type": "string", "enum": ["chip", "place"] },
                                                  "message": { "type": "string" }, "closest_score": { "type": "number" }, "closest_relevance": { "type": "number" } } } } }
            }
          }
        }
        """;
        var root = JsonNode.Parse(json)!.AsObject(); // fails loudly in tests if the template is broken
        // Per-collection items paths that list each queryable as a query parameter (queryable=value): GDAL's OAPIF
        // driver learns the queryables and the cql-text filter language from them and filters on the server.
        var paths = root["paths"]!.AsObject();
        var generic = paths["/collections/{collectionId}/items"]!;
        foreach (var collection in new[] { "chips", "scenes" })
        {
            var path = generic.DeepClone().AsObject();
            var get = path["get"]!.AsObject();
            get["operationId"] = $"get{char.ToUpperInvariant(collection[0])}{collection[1..]}Features";
            var parameters = get["parameters"]!.AsArray();
            parameters.RemoveAt(0); // collectionId
            foreach (var p in FeatureSchema.Of(collection).Where(p => p.Queryable && p.Type != PropertyType.Geometry && (!p.RankedOnly || ranked && collection == "chips")))
                parameters.Add(new JsonObject
                {
                    ["name"] = p.Name, ["in"] = "query", ["required"] = false, ["description"] = p.Description + " (equality filter)",
                    ["schema"] = JsonSchema(p),
                });
            get["responses"]!["200"]!["content"]!["application/geo+json"]!["schema"] = new JsonObject
            {
                ["allOf"] = new JsonArray(Ref("featureCollectionGeoJSON"), new JsonObject
                {
                    ["properties"] = new JsonObject { ["features"] = new JsonObject { ["type"] = "array", ["items"] = Ref($"{collection}FeatureGeoJSON") } },
                }),
            };
            paths[$"/collections/{collection}/items"] = path;
        }
        var schemas = root["components"]!["schemas"]!.AsObject();
        AddFeatureSchema(schemas, FeatureSchema.ChipType);
        AddFeatureSchema(schemas, FeatureSchema.SceneType);
        AddFeatureSchema(schemas, FeatureSchema.ChangeType);
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }

    /// <summary>components/schemas/{collection}FeatureGeoJSON: a GeoJSON feature with the properties the feature schema declares.</summary>
    private static void AddFeatureSchema<T>(JsonObject schemas, FeatureType<T> type)
    {
        var properties = new JsonObject();
        foreach (var p in type.Properties.Where(p => p.Type != PropertyType.Geometry))
        {
            var schema = JsonSchema(p);
            schema["description"] = p.Description;
            if (p.Nullable) schema["nullable"] = true;
            properties[p.Name] = schema;
        }
        schemas[$"{type.Name}FeatureGeoJSON"] = new JsonObject
        {
            ["description"] = type.Title,
            ["allOf"] = new JsonArray(Ref("featureGeoJSON"), new JsonObject
            {
                ["properties"] = new JsonObject { ["properties"] = new JsonObject { ["type"] = "object", ["properties"] = properties } },
            }),
        };
    }

    private static JsonObject JsonSchema(FeatureProperty p)
    {
        var (type, format) = p.JsonSchema;
        var schema = new JsonObject();
        if (type is not null) schema["type"] = type;
        if (format is not null) schema["format"] = format;
        return schema;
    }

    private static JsonObject Ref(string schema) => new() { ["$ref"] = $"#/components/schemas/{schema}" };

    private static string Str(string s) => JsonSerializer.Serialize(s);
}
