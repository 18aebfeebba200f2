using Microsoft.AspNetCore.Http;

namespace RsGeoSearch.Api.Http;

/// <summary>Absolute URLs for links: the configured public URL, else scheme://host/pathbase of the request.</summary>
internal static class Links
{
    public static string Base(HttpContext context, ApiOptions options) =>
        options.PublicUrl?.TrimEnd('/') ?? $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";

    /// <summary>The current request's URL with <paramref name="changes"/> applied to its query (null value removes the parameter).</summary>
    public static string WithQuery(HttpContext context, ApiOptions options, params (string Name, string? Value)[] changes)
    {
        // Distinct: a client that appends its connection URL's query to links carrying it must not make them grow.
        var pairs = context.Request.Query.SelectMany(kv => kv.Value.Select(v => (kv.Key, Value: v ?? ""))).Distinct().ToList();
        foreach (var (name, value) in changes)
        {
            pairs.RemoveAll(p => p.Key == name);
            if (value is not null) pairs.Add((name, value));
        }
        var query = pairs.Count == 0 ? "" : "?" + string.Join('&', pairs.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        return $"{Base(context, options)}{context.Request.Path}{query}";
    }
}
