namespace RsGeoSearch.Api.Http;

/// <summary>Ends a request with a given status and problem document (401, 413, 406 ...).</summary>
internal sealed class HttpProblemException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}
