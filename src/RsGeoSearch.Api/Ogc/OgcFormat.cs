using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using RsGeoSearch.Api.Http;

namespace RsGeoSearch.Api.Ogc;

/// <summary>f=json|html, else the Accept header: HTML only when text/html is preferred over every JSON type (browsers); JSON otherwise.</summary>
internal static class OgcFormat
{
    public static bool IsHtml(HttpContext context, QueryReader query)
    {
        var f = query.String("f");
        if (f is not null)
        {
            return f.ToLowerInvariant() switch
            {
                "html" => true,
                "json" or "geojson" or "application/json" or "application/geo+json" => false,
                _ => throw new ParameterException("f", $"f '{f}' is not supported; use f=json or f=html"),
            };
        }
        if (!MediaTypeHeaderValue.TryParseList(context.Request.Headers.Accept, out var accepted) || accepted.Count == 0) return false;
        double html = -1, json = -1;
        foreach (var m in accepted)
        {
            var q = m.Quality ?? 1.0;
            var type = m.MediaType.Value ?? "";
            if (type.Equals("text/html", StringComparison.OrdinalIgnoreCase)) html = Math.Max(html, q);
            else if (type.EndsWith("json", StringComparison.OrdinalIgnoreCase) || type == "*/*") json = Math.Max(json, type == "*/*" ? q - 0.001 : q);
        }
        return html > 0 && html >= json;
    }
}
