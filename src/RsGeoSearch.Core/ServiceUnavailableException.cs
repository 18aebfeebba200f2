namespace RsGeoSearch.Core;

/// <summary>A dependency (the database) is down or overloaded; the caller should retry after <see cref="RetryAfter"/>.</summary>
public sealed class ServiceUnavailableException : Exception
{
    public ServiceUnavailableException(string message, TimeSpan retryAfter, Exception? inner = null) : base(message, inner) =>
        RetryAfter = retryAfter;

    public TimeSpan RetryAfter { get; }
}
