using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RsGeoSearch.Api.Features;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Api.Wfs;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Filtering;
using RsGeoSearch.Api.Ogc;
using RsGeoSearch.Api.Requests;

namespace RsGeoSearch.Api.Endpoints;

/// <summary>
/// WFS 2.0 (Simple WFS, KVP GET) at /wfs: GetCapabilities, DescribeFeatureType, ListStoredQueries,
/// DescribeStoredQueries, GetFeature with TYPENAMES (one query), BBOX (CRS suffix honoured: EPSG URNs are lat/lon),
/// FILTER (FES 2.0, see <see cref="WfsFilter"/>), RESOURCEID/FEATUREID, the GetFeatureById stored query,
/// SORTBY, PROPERTYNAME, COUNT/STARTINDEX with next/previous, RESULTTYPE=hits, SRSNAME, OUTPUTFORMAT GML 3.2
/// (default) or application/json, and the vendor parameter Q (natural-language query on rsgeo:chips; features
/// carry score and come best first; ignored on rsgeo:scenes) with NOT (terms to push away from, comma-separated) and
/// MIN_RELEVANCE (0..1). Errors are OWS ExceptionReports.
/// Parameter names are case-insensitive; unknown ones are ignored, as WFS clients add their own.
/// </summary>
internal static class WfsEndpoints
{
    private const string XmlType = "application/xml; charset=utf-8";

    public static void Map(IEndpointRouteBuilder app, ApiOptions options)
    {
        app.MapGet("/wfs", async (HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            var query = new QueryReader(context.Request.Query, ignoreCase: true);
            var service = query.String("SERVICE") ?? throw Missing("SERVICE");
            if (!service.Equals("WFS", StringComparison.OrdinalIgnoreCase))
                throw new OwsException("InvalidParameterValue", "SERVICE", $"SERVICE '{service}' is not WFS");
            var request = query.String("REQUEST") ?? throw Missing("REQUEST");
            var wfsUrl = Links.Base(context, options) + "/wfs";
            switch (request.ToLowerInvariant())
            {
                case "getcapabilities":
                    var accept = query.String("ACCEPTVERSIONS");
                    if (accept is not null && !accept.Split(',').Any(v => v.Trim().StartsWith("2.0", StringComparison.Ordinal)))
                        throw new OwsException("VersionNegotiationFailed", "ACCEPTVERSIONS", $"this server speaks WFS 2.0.0 only, not {accept}");
                    var extent = await catalog.GetExtentAsync(ct);
                    return Results.Bytes(WfsXml.Capabilities(wfsUrl, options.Title, extent, options.MaxLimit), XmlType);
                case "describefeaturetype":
                    CheckVersion(query);
                    var names = query.String("TYPENAMES") ?? query.String("TYPENAME");
                    var types = names is null ? WfsXml.FeatureTypes.Keys.ToList() : names.Split(',').Select(n => TypeName(n, "TYPENAMES")).Distinct().ToList();
                    return Results.Bytes(WfsXml.Schema(types), WfsXml.Gml32Format);
                case "getfeature":
                    CheckVersion(query);
                    return await GetFeature(context, query, catalog, options, wfsUrl, ct);
                case "liststoredqueries":
                    CheckVersion(query);
                    return Results.Bytes(WfsXml.ListStoredQueries(), XmlType);
                case "describestoredqueries":
                    CheckVersion(query);
                    var ids = query.String("STOREDQUERY_ID");
                    if (ids is not null && ids.Split(',').Any(id => id.Trim() != WfsXml.GetFeatureById))
                        throw new OwsException("InvalidParameterValue", "STOREDQUERY_ID", $"stored query '{ids}' does not exist; the only one is {WfsXml.GetFeatureById}");
                    return Results.Bytes(WfsXml.DescribeStoredQueries(), XmlType);
                default:
                    throw new OwsException("OperationNotSupported", "REQUEST", $"REQUEST '{request}' is not supported; use GetCapabilities, DescribeFeatureType, ListStoredQueries, DescribeStoredQueries or GetFeature");
            }
        });
    }

    private static async Task<IResult> GetFeature(HttpContext context, QueryReader query, IChipCatalog catalog, ApiOptions options, string wfsUrl, CancellationToken ct)
    {
        var srsName = query.String("SRSNAME") ?? WfsCrs.Default;
        var latLon = WfsCrs.IsLatLon(srsName, "SRSNAME");
        var json = OutputFormat(query.String("OUTPUTFORMAT"));
        var baseUrl = Links.Base(context, options);
        var storedQuery = query.String("STOREDQUERY_ID");
        if (storedQuery is not null) return await GetFeatureById(query, catalog, storedQuery, srsName, latLon, json, baseUrl, wfsUrl, ct);

        var hits = (query.String("RESULTTYPE") ?? "results").ToLowerInvariant() switch
        {
            "results" => false,
            "hits" => true,
            var other => throw new OwsException("InvalidParameterValue", "RESULTTYPE", $"RESULTTYPE '{other}' must be results or hits"),
        };
        var typeParam = query.String("TYPENAMES") ?? query.String("TYPENAME");
        var bboxText = query.String("BBOX");
        var filterText = query.String("FILTER");
        var resourceIds = (query.String("RESOURCEID") ?? query.String("FEATUREID"))?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        if (new[] { bboxText, filterText, resourceIds is null ? null : "" }.Count(p => p is not null) > 1)
            throw new OwsException("OperationParsingFailed", "FILTER", "BBOX, FILTER and RESOURCEID are mutually exclusive");

        string type;
        if (typeParam is not null)
        {
            if (typeParam.Contains(")(", StringComparison.Ordinal))
                throw new OwsException("OperationNotSupported", "TYPENAMES", "this server answers one query at a time: give one feature type (rsgeo:chips or rsgeo:scenes), not several queries");
            var types = typeParam.Split(',').Select(n => TypeName(n, "TYPENAMES")).Distinct().ToList();
            if (types.Count != 1) throw new OwsException("OperationNotSupported", "TYPENAMES", "joins are not supported: query one feature type at a time (rsgeo:chips or rsgeo:scenes)");
            type = types[0];
        }
        else if (resourceIds is { Count: > 0 }) type = TypeName(resourceIds[0].Split('.')[0], "RESOURCEID");
        else throw Missing("TYPENAMES");
        // Q ranks chips; on scenes it is ignored (with NOT and MIN_RELEVANCE), so a connection URL with Q serves every
        // layer (ogr2ogr of the whole connection).
        var read = WfsGetFeatureRequest.Read(query, options, chips: type == "chips");
        var (count, start, text, bbox) = (read.Count, read.StartIndex, read.Text, read.Bbox);
        var ranked = text is not null;
        var schema = FeatureSchema.Of(type);

        FilterNode? where = null;
        if (filterText is not null)
        {
            var filter = WfsFilter.Parse(filterText, schema, ranked, WfsCrs.Default);
            where = filter.Where;
            if (filter.ResourceIds.Count > 0) resourceIds = filter.ResourceIds.ToList();
        }
        var sortBy = Filtered(() => SortByReader.Parse(query.String("SORTBY"), schema, ranked), "SORTBY");
        var names = PropertyNames(query.String("PROPERTYNAME"), schema);
        var schemaUrl = $"{wfsUrl}?SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=rsgeo:{type}";

        if (resourceIds is not null)
        {
            var ids = resourceIds.Select(r => ResourceId(r, type)).Distinct().Take(options.MaxLimit).ToList();
            if (type == "chips")
            {
                var chips = new List<ScoredChip>();
                foreach (var id in ids)
                    if (await catalog.GetChipAsync(id, ct) is { } c) chips.Add(new ScoredChip(c, null));
                return Respond(hits, json, chips.Count, () => GmlWriter.Project(GmlWriter.Chips(chips, chips.Count, srsName, latLon, baseUrl, schemaUrl), names, false),
                    () => CollectionJson.Chips(new ChipPage(chips, chips.Count, ""), baseUrl, [], withScore: false));
            }
            var scenes = new List<SceneRecord>();
            foreach (var id in ids)
                if (await catalog.GetSceneAsync(id, ct) is { } s) scenes.Add(s);
            return Respond(hits, json, scenes.Count, () => GmlWriter.Project(GmlWriter.Scenes(scenes, scenes.Count, srsName, latLon, schemaUrl), names, false),
                () => CollectionJson.Scenes(scenes, scenes.Count, []));
        }

        if (type == "chips")
        {
            var page = await catalog.SearchAsync(read.Query(where, sortBy, hits), ct);
            var paging = Paging(context, options, start, count, page.Items.Count, page.NumberMatched);
            return Respond(hits, json, page.NumberMatched, () => GmlWriter.Project(GmlWriter.Chips(page.Items, page.NumberMatched, srsName, latLon, baseUrl, schemaUrl, paging), names, false),
                () => CollectionJson.Chips(page, baseUrl, JsonLinks(paging), withScore: text is not null));
        }
        var (items, matched) = await catalog.ListScenesAsync(bbox, TimeRange.All, hits ? 1 : count, start, ct, where, sortBy);
        var scenePaging = Paging(context, options, start, count, items.Count, matched);
        return Respond(hits, json, matched, () => GmlWriter.Project(GmlWriter.Scenes(items, matched, srsName, latLon, schemaUrl, scenePaging), names, false),
            () => CollectionJson.Scenes(items, matched, JsonLinks(scenePaging)));
    }

    /// <summary>The GetFeatureById stored query: the one feature (not a collection), or a NotFound exception (404).</summary>
    private static async Task<IResult> GetFeatureById(QueryReader query, IChipCatalog catalog, string storedQuery, string srsName, bool latLon, bool json,
        string baseUrl, string wfsUrl, CancellationToken ct)
    {
        if (storedQuery != WfsXml.GetFeatureById)
            throw new OwsException("InvalidParameterValue", "STOREDQUERY_ID", $"stored query '{storedQuery}' does not exist; ListStoredQueries lists {WfsXml.GetFeatureById}");
        var rid = query.String("ID") ?? throw Missing("ID");
        var dot = rid.LastIndexOf('.');
        var type = dot > 0 && WfsXml.FeatureTypes.ContainsKey(TypeNameOrEmpty(rid[..dot])) ? TypeNameOrEmpty(rid[..dot]) : "";
        if (type == "" || !long.TryParse(rid[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw new OwsException("NotFound", "ID", $"no feature has id '{rid}'; ids look like chips.12 or scenes.3", 404);
        var schemaUrl = $"{wfsUrl}?SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=rsgeo:{type}";
        if (type == "chips")
        {
            var chip = await catalog.GetChipAsync(id, ct) ?? throw new OwsException("NotFound", "ID", $"chip {id} does not exist", 404);
            var hit = new ScoredChip(chip, null);
            return json
                ? Results.Bytes(JsonBody.Write(w => FeatureJson.WriteChip(w, hit, baseUrl, withScore: false)), WfsXml.JsonFormat)
                : Results.Bytes(GmlWriter.Project(GmlWriter.Chips([hit], 1, srsName, latLon, baseUrl, schemaUrl), null, byIdOnly: true), WfsXml.Gml32Format);
        }
        var scene = await catalog.GetSceneAsync(id, ct) ?? throw new OwsException("NotFound", "ID", $"scene {id} does not exist", 404);
        return json
            ? Results.Bytes(JsonBody.Write(w => FeatureJson.WriteScene(w, scene)), WfsXml.JsonFormat)
            : Results.Bytes(GmlWriter.Project(GmlWriter.Scenes([scene], 1, srsName, latLon, schemaUrl), null, byIdOnly: true), WfsXml.Gml32Format);
    }

    private static string TypeNameOrEmpty(string name)
    {
        try { return TypeName(name, "ID"); }
        catch (OwsException) { return ""; }
    }

    /// <summary>PROPERTYNAME: the properties to return (the geometry only when listed); null for all.</summary>
    private static HashSet<string>? PropertyNames(string? text, IReadOnlyList<FeatureProperty> schema)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in text.Trim('(', ')').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var name = raw[(raw.LastIndexOf(':') + 1)..];
            if (name == "footprint") name = FeatureSchema.Geometry;
            if (!schema.Any(p => p.Name == name))
                throw new OwsException("InvalidParameterValue", "PROPERTYNAME", $"'{raw}' is not a property; properties: {string.Join(", ", schema.Select(p => p.Name))}");
            names.Add(name);
        }
        return names;
    }

    /// <summary>next/previous: this request's URL with STARTINDEX moved by COUNT.</summary>
    private static GmlWriter.Paging Paging(HttpContext context, ApiOptions options, int start, int count, int returned, long matched)
    {
        string At(int index)
        {
            var pairs = context.Request.Query.Where(kv => !kv.Key.Equals("STARTINDEX", StringComparison.OrdinalIgnoreCase))
                .SelectMany(kv => kv.Value.Distinct().Select(v => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(v ?? "")}"))
                .Append($"STARTINDEX={index.ToString(CultureInfo.InvariantCulture)}");
            return $"{Links.Base(context, options)}{context.Request.Path}?{string.Join('&', pairs)}";
        }
        return new GmlWriter.Paging(
            returned > 0 && start + returned < matched ? At(start + returned) : null,
            start > 0 ? At(Math.Max(0, start - count)) : null);
    }

    private static List<Link> JsonLinks(GmlWriter.Paging paging)
    {
        var links = new List<Link>();
        if (paging.Next is { } n) links.Add(new Link(n, "next", WfsXml.JsonFormat, "next page"));
        if (paging.Previous is { } p) links.Add(new Link(p, "previous", WfsXml.JsonFormat, "previous page"));
        return links;
    }

    private static T Filtered<T>(Func<T> read, string locator)
    {
        try { return read(); }
        catch (FilterException e) { throw new OwsException("InvalidParameterValue", locator, e.Message); }
    }

    private static IResult Respond(bool hits, bool json, long matched, Func<byte[]> gml, Func<byte[]> geoJson)
    {
        if (hits)
            return json
                ? Results.Json(new { type = "FeatureCollection", numberMatched = matched, numberReturned = 0, features = Array.Empty<object>() })
                : Results.Bytes(GmlWriter.Hits(matched), WfsXml.Gml32Format);
        return json ? Results.Bytes(geoJson(), WfsXml.JsonFormat) : Results.Bytes(gml(), WfsXml.Gml32Format);
    }

    /// <summary>"rsgeo:chips", "chips", "{ns}chips" or "(rsgeo:chips)" → "chips".</summary>
    private static string TypeName(string name, string locator)
    {
        var n = name.Trim().Trim('(', ')');
        if (n.StartsWith('{') && n.IndexOf('}') is var close and > 0) n = n[(close + 1)..];
        var colon = n.LastIndexOf(':');
        if (colon >= 0) n = n[(colon + 1)..];
        if (!WfsXml.FeatureTypes.ContainsKey(n))
            throw new OwsException("InvalidParameterValue", locator, $"unknown feature type '{name}'; feature types: rsgeo:chips, rsgeo:scenes");
        return n;
    }

    private static long ResourceId(string rid, string type)
    {
        var dot = rid.LastIndexOf('.');
        var prefix = dot >= 0 ? rid[..dot] : type;
        if (TypeName(prefix, "RESOURCEID") != type)
            throw new OwsException("InvalidParameterValue", "RESOURCEID", $"resource '{rid}' is not of type rsgeo:{type}");
        if (!long.TryParse(rid[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw new OwsException("InvalidParameterValue", "RESOURCEID", $"resource id '{rid}' must look like {type}.12");
        return id;
    }

    private static bool OutputFormat(string? format)
    {
        if (format is null) return false;
        var f = format.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        if (f is "application/gml+xml;version=3.2" or "text/xml;subtype=gml/3.2" or "text/xml;subtype=gml/3.2.1" or "gml32" or "gml3" or "application/gml+xml")
            return false;
        if (f is "application/json" or "json" or "geojson" or "application/geo+json") return true;
        throw new OwsException("InvalidParameterValue", "OUTPUTFORMAT", $"OUTPUTFORMAT '{format}' is not supported; use {WfsXml.Gml32Format} or {WfsXml.JsonFormat}");
    }

    private static void CheckVersion(QueryReader query)
    {
        var version = query.String("VERSION") ?? throw Missing("VERSION");
        if (!version.StartsWith("2.0", StringComparison.Ordinal))
            throw new OwsException("InvalidParameterValue", "VERSION", $"VERSION '{version}' is not supported; this server speaks WFS 2.0.0");
    }

    private static OwsException Missing(string name) =>
        new("MissingParameterValue", name, $"the parameter {name} is required");
}
