using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace RsGeoSearch.Api.Http;

/// <summary>
/// Lets a request through only with the configured key in X-API-Key or Authorization: Bearer.
/// Keys are compared as SHA-256 digests in constant time; they are never logged or echoed.
/// </summary>
internal sealed class ApiKeyFilter(string? apiKey) : IEndpointFilter
{
    private readonly byte[]? expected = apiKey is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (expected is null) return next(context);
        var presented = Presented(context.HttpContext.Request);
        if (presented is null)
            return Unauthorized(context.HttpContext, "this operation needs an API key: send it in the X-API-Key header or as Authorization: Bearer <key>");
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        if (!CryptographicOperations.FixedTimeEquals(digest, expected))
            return Unauthorized(context.HttpContext, "the API key is not valid");
        return next(context);
    }

    private static string? Presented(HttpRequest request)
    {
        var key = request.Headers["X-API-Key"].ToString();
        if (key.Length > 0) return key;
        var auth = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        return auth.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && auth.Length > bearer.Length ? auth[bearer.Length..].Trim() : null;
    }

    private static ValueTask<object?> Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ValueTask.FromResult<object?>(Problem.Result(401, "Unauthorized", detail));
    }
}
