using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RsGeoSearch.Core.Filtering;
using RsGeoSearch.Core;
using RsGeoSearch.Api.Requests;

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
                    "parameters": [ { "$ref": "#/components/parameters/collectionId" } ],
                    "responses": { "200": { "description": "a GeoJSON FeatureCollection", "content": { "application/geo+json": { "schema": { "$ref": "#/components/schemas/featureCollectionGeoJSON" } }, "text/html": {} } },
                                   "400": { "$ref": "#/components/responses/BadRequest" }, "404": { "$ref": "#/components/responses/NotFound" } } } },
            "/collections/{collectionId}/items/{featureId}": { "get": { "summary": "One feature", "operationId": "getFeature", "tags": ["Data"],
                    "parameters": [ { "$ref": "#/components/parameters/collectionId" }, { "$ref": "#/components/parameters/featureId" }, { "$ref": "#/components/parameters/f" } ],
                    "responses": { "200": { "description": "a GeoJSON Feature", "content": { "application/geo+json": { "schema": { "$ref": "#/components/schemas/featureGeoJSON" } }, "text/html": {} } },
                                   "404": { "$ref": "#/components/responses/NotFound" } } } }
          },
          "components": {
            "parameters": {
              "collectionId": { "name": "collectionId", "in": "path", "required": true, "schema": { "type": "string", "enum": ["chips", "scenes", "changes"] } },
              "featureId": { "name": "featureId", "in": "path", "required": true, "description": "chips, scenes: an integer id; changes: BEFORE-AFTER chip ids (12-345)", "schema": { "type": "string" } },
              "declared": {}
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
        // The query parameters come from their declarations (Requests/Parameters.cs), as do the lists that refuse unknown ones.
        var components = root["components"]!["parameters"]!.AsObject();
        components.Remove("declared");
        foreach (var p in OgcItemsRequest.AnyCollection) components[p.Name] = p.OpenApi(maxLimit);
        var itemParameters = root["paths"]!["/collections/{collectionId}/items"]!["get"]!["parameters"]!.AsArray();
        foreach (var p in OgcItemsRequest.AnyCollection) itemParameters.Add(new JsonObject { ["$ref"] = $"#/components/parameters/{p.Name}" });
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
