using System.Text.Json.Nodes;

namespace RsGeoSearch.Api.Requests;

/// <summary>
/// One query parameter, declared once in <see cref="Parameters"/>: its name, what it means and its OpenAPI schema.
/// The allowed-parameter lists (an unknown parameter is a 400), the OpenAPI document at /ogc/api and the table on
/// /ogc/api?f=html are generated from these declarations; the readers in <see cref="ParameterReaders"/> read them.
/// </summary>
internal sealed record Parameter(string Name, string Description, Func<int, JsonObject> Schema, bool CommaList = false)
{
    /// <summary>The OpenAPI 3.0 parameter object; <paramref name="maxLimit"/> is the server's page size limit.</summary>
    public JsonObject OpenApi(int maxLimit)
    {
        var p = new JsonObject { ["name"] = Name, ["in"] = "query", ["required"] = false };
        if (Description.Length > 0) p["description"] = Description;
        if (CommaList) { p["style"] = "form"; p["explode"] = false; }
        p["schema"] = Schema(maxLimit);
        return p;
    }

    public override string ToString() => Name;
}

/// <summary>Small builders of OpenAPI schemas for the declarations.</summary>
internal static class Schema
{
    public static Func<int, JsonObject> String(int? maxLength = null, string? format = null, string[]? values = null, string? @default = null) => _ =>
    {
        var s = new JsonObject { ["type"] = "string" };
        if (format is not null) s["format"] = format;
        if (maxLength is { } m) s["maxLength"] = m;
        if (values is not null) s["enum"] = new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v)!)]);
        if (@default is not null) s["default"] = @default;
        return s;
    };

    public static Func<int, JsonObject> Integer(int min, int? max = null, int? @default = null, bool maxIsServerLimit = false) => maxLimit =>
    {
        var s = new JsonObject { ["type"] = "integer", ["minimum"] = min };
        if (maxIsServerLimit) s["maximum"] = maxLimit;
        else if (max is { } m) s["maximum"] = m;
        if (@default is { } d) s["default"] = d;
        return s;
    };

    public static Func<int, JsonObject> Number(double min, double max, double? @default = null) => _ =>
    {
        var s = new JsonObject { ["type"] = "number", ["minimum"] = min, ["maximum"] = max };
        if (@default is { } d) s["default"] = d;
        return s;
    };

    public static Func<int, JsonObject> Boolean() => _ => new JsonObject { ["type"] = "boolean", ["default"] = false };

    public static Func<int, JsonObject> Array(string itemType, int? minItems = null, int? maxItems = null, int? minLength = null) => _ =>
    {
        var items = new JsonObject { ["type"] = itemType };
        if (minLength is { } l) items["minLength"] = l;
        var s = new JsonObject { ["type"] = "array" };
        if (minItems is { } min) s["minItems"] = min;
        if (maxItems is { } max) s["maxItems"] = max;
        s["items"] = items;
        return s;
    };
}
