namespace RsGeoSearch.Api;

/// <summary>How the HTTP API runs: where it listens, who may write, and the limits it enforces.</summary>
public sealed class ApiOptions
{
    /// <summary>Kestrel URLs, e.g. "http://127.0.0.1:8080". Ignored under a test server.</summary>
    public IList<string> Urls { get; init; } = ["http://127.0.0.1:8080"];

    /// <summary>The key POST operations need (X-API-Key header or Authorization: Bearer). Null: POSTs are open (a warning is logged).</summary>
    public string? ApiKey { get; init; }

    /// <summary>The largest accepted uploaded image, in bytes (default 20 MB).</summary>
    public long MaxUploadBytes { get; init; } = 20L * 1024 * 1024;

    /// <summary>Each request is cancelled after this long and answered 504.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Origins allowed by CORS; "*" allows any. Empty: no CORS headers.</summary>
    public IList<string> CorsOrigins { get; init; } = [];

    /// <summary>The largest page a client may ask for (/search limit, OGC limit, WFS COUNT). OGC clamps larger values; /search rejects them.</summary>
    public int MaxLimit { get; init; } = 1000;

    /// <summary>Base URL written into links (behind a proxy), e.g. "https://maps.example.org/rsgeo". Null: taken from each request.</summary>
    public string? PublicUrl { get; init; }

    /// <summary>How many thumbnail bytes are kept in memory.</summary>
    public long ThumbnailCacheBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The title shown on landing pages and capabilities.</summary>
    public string Title { get; init; } = "RsGeoSearch";

    /// <summary>Folder of the built web map client (plugins/web/dist), served at / to browsers; null serves none.</summary>
    public string? WebRoot { get; init; }
}
