using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Endpoints;

/// <summary>
/// POST /export/gpkg?layer=: a GeoJSON FeatureCollection (what the web map holds: results, labelled examples) back as a
/// GeoPackage, converted by GDAL (<see cref="IVectorConverter"/>). Nothing is stored. 501 when the server runs without
/// a converter; 400 for a body that is not a FeatureCollection; 413 above the upload limit.
/// </summary>
internal static partial class ExportEndpoints
{
    public const int MaxFeatures = 10_000;
    public const string GeoPackageType = "application/geopackage+sqlite3";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,39}$")]
    private static partial Regex LayerName();

    public static void Map(IEndpointRouteBuilder app, ApiOptions options)
    {
        app.MapPost("/export/gpkg", async (HttpContext context, CancellationToken ct) =>
        {
            var query = new QueryReader(context.Request.Query).Only("layer");
            var layer = query.String("layer") ?? "chips";
            if (!LayerName().IsMatch(layer))
                throw new ParameterException("layer", "layer must be a letter followed by up to 39 letters, digits or _");
            var converter = context.RequestServices.GetService<IVectorConverter>()
                ?? throw new HttpProblemException(501, "Not implemented", "this server has no GDAL converter: GeoPackage export is unavailable; export GeoJSON instead");
            var body = await ReadBodyAsync(context.Request, options.MaxUploadBytes, ct);
            CheckFeatureCollection(body);
            var gpkg = converter.GeoJsonToGeoPackage(body, layer);
            return Results.File(gpkg, GeoPackageType, $"rsgeo-{layer}.gpkg");
        });
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, long max, CancellationToken ct)
    {
        if (request.ContentLength > max) throw TooLarge(max);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > max) throw TooLarge(max);
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static HttpProblemException TooLarge(long max) =>
        new(413, "Payload too large", $"the GeoJSON is larger than the limit of {max / (1024.0 * 1024.0):0.#} MB");

    /// <summary>The body must be a GeoJSON FeatureCollection of at most <see cref="MaxFeatures"/> features.</summary>
    internal static void CheckFeatureCollection(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.GetString() != "FeatureCollection" ||
                !root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
                throw new InputException("the body must be a GeoJSON FeatureCollection ({\"type\":\"FeatureCollection\",\"features\":[...]})");
            if (features.GetArrayLength() > MaxFeatures)
                throw new InputException($"at most {MaxFeatures} features can be exported at once");
        }
        catch (JsonException e)
        {
            throw new InputException($"the body is not JSON: {e.Message}");
        }
    }
}
