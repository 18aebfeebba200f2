using Microsoft.AspNetCore.Http;

namespace RsGeoSearch.Api.Http;

/// <summary>Writes RFC 7807 problem+json documents.</summary>
internal static class Problem
{
    public const string ContentType = "application/problem+json";

    public static byte[] Body(int status, string title, string? detail, string? instance, string? parameter = null) =>
        JsonBody.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "about:blank");
            w.WriteString("title", title);
            w.WriteNumber("status", status);
            if (detail is not null) w.WriteString("detail", detail);
            if (instance is not null) w.WriteString("instance", instance);
            if (parameter is not null) w.WriteString("parameter", parameter);
            w.WriteEndObject();
        });

    public static IResult Result(int status, string title, string? detail) =>
        Results.Content(System.Text.Encoding.UTF8.GetString(Body(status, title, detail, null)), ContentType, System.Text.Encoding.UTF8, status);

    public static string TitleFor(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        406 => "Not acceptable",
        413 => "Payload too large",
        415 => "Unsupported media type",
        503 => "Service unavailable",
        504 => "Gateway timeout",
        _ => status >= 500 ? "Internal server error" : "Error",
    };
}
