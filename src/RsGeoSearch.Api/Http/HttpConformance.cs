using Microsoft.AspNetCore.Http;

namespace RsGeoSearch.Api.Http;

/// <summary>
/// HTTP semantics every endpoint shares (RFC 9110), inside the error middleware and before routing:
/// HEAD is answered as GET without a body (same status and headers, Content-Length included), and an over-long
/// URL (414) or header section (431) is refused with a problem document. Kestrel's own limits are set higher
/// (see <see cref="KestrelFactor"/>) so these requests reach the application instead of getting an empty reply.
/// </summary>
internal sealed class HttpConformance(RequestDelegate next)
{
    public const int MaxUrl = 8 * 1024;
    public const int MaxHeaders = 32 * 1024;
    public const int KestrelFactor = 4;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var url = request.Path.Value?.Length + request.QueryString.Value?.Length ?? 0;
        if (url > MaxUrl)
            throw new HttpProblemException(414, "URI too long", $"the URL is {url} characters long; at most {MaxUrl}. Send fewer or shorter parameters.");
        var headers = request.Headers.Sum(h => h.Key.Length + h.Value.Sum(v => (v?.Length ?? 0) + 4));
        if (headers > MaxHeaders)
            throw new HttpProblemException(431, "Request header fields too large", $"the request headers take {headers} bytes; at most {MaxHeaders}");
        if (!HttpMethods.IsHead(request.Method))
        {
            await next(context);
            return;
        }
        request.Method = HttpMethods.Get;
        var body = context.Response.Body;
        context.Response.Body = Stream.Null;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
            request.Method = HttpMethods.Head;
        }
    }
}
