using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using RsGeoSearch.Api.Wfs;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Http;

/// <summary>
/// The outermost middleware: applies the per-request timeout, maps exceptions to problem+json
/// (OWS ExceptionReport under /wfs), gives bodiless 4xx/5xx a problem document, and logs one line per request.
/// Headers (and so API keys) are never logged; exception details never reach the client.
/// </summary>
internal sealed class ErrorMiddleware(RequestDelegate next, ApiOptions options, ILogger<ErrorMiddleware> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var clientAborted = context.RequestAborted;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        if (options.RequestTimeout > TimeSpan.Zero) timeout.CancelAfter(options.RequestTimeout);
        else timeout.Cancel(); // a zero limit: every request is out of time at once
        context.RequestAborted = timeout.Token;
        try
        {
            await next(context);
            if (context.Response is { HasStarted: false, StatusCode: >= 400, ContentType: null } && context.Response.ContentLength is null or 0)
                await WriteErrorAsync(context, context.Response.StatusCode, Problem.TitleFor(context.Response.StatusCode),
                    context.Response.StatusCode == 404 ? $"nothing at {context.Request.Path}" : null, null, null, null);
        }
        catch (OperationCanceledException) when (clientAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499; // client went away; nothing to write
        }
        catch (Exception e)
        {
            var (status, title, detail, parameter, retryAfter) = Map(e, timeout.IsCancellationRequested);
            if (status >= 500 && status != 503 && status != 504) log.LogError(e, "unhandled {Method} {Path}", context.Request.Method, context.Request.Path.Value);
            if (context.Response.HasStarted) { context.Abort(); return; }
            await WriteErrorAsync(context, status, title, detail, parameter, retryAfter, (e as OwsException)?.Code);
        }
        finally
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            log.LogInformation("{Method} {Path} {Status} {Ms:F1}ms", context.Request.Method, context.Request.Path.Value, context.Response.StatusCode, ms);
        }
    }

    private static (int Status, string Title, string? Detail, string? Parameter, TimeSpan? RetryAfter) Map(Exception e, bool timedOut) => e switch
    {
        OwsException o => (o.Status, Problem.TitleFor(o.Status), o.Message, o.Locator, null),
        ParameterException p => (400, "Bad request", p.Message, p.Parameter, null),
        InputException i => (400, "Bad request", ServerPaths.Hide(i.Message), null, null),
        NotFoundException n => (404, "Not found", n.Message, null, null),
        ServiceUnavailableException s => (503, "Service unavailable", s.Message, null, s.RetryAfter),
        HttpProblemException h => (h.Status, h.Title, h.Message, null, null),
        BadHttpRequestException b => (b.StatusCode, Problem.TitleFor(b.StatusCode), b.StatusCode == 413 ? "the request body is too large" : "the request could not be read", null, null),
        OperationCanceledException when timedOut => (504, "Gateway timeout", "the request took longer than the server's time limit", null, null),
        _ => (500, "Internal server error", "an unexpected error occurred; it has been logged", null, null),
    };

    private static async Task WriteErrorAsync(HttpContext context, int status, string title, string? detail, string? parameter, TimeSpan? retryAfter, string? owsCode)
    {
        var response = context.Response;
        var allow = response.Headers.Allow; // a 405 must keep it (RFC 9110)
        response.Clear();
        if (status == 405 && allow.Count > 0) response.Headers.Allow = allow;
        response.StatusCode = status;
        if (retryAfter is { } r)
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(r.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        if (context.Request.Path.StartsWithSegments("/wfs"))
        {
            response.ContentType = "application/xml; charset=utf-8";
            await response.Body.WriteAsync(WfsXml.ExceptionReport(status, detail ?? title, parameter, owsCode));
            return;
        }
        response.ContentType = Problem.ContentType;
        await response.Body.WriteAsync(Problem.Body(status, title, detail, context.Request.Path.Value, parameter));
    }
}
