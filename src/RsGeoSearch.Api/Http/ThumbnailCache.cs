using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;

namespace RsGeoSearch.Api.Http;

/// <summary>Rendered chip thumbnails kept in memory up to a byte budget, each with a strong ETag from its content.</summary>
internal sealed class ThumbnailCache(ApiOptions options) : IDisposable
{
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Math.Max(1, options.ThumbnailCacheBytes) });

    public async Task<(byte[] Png, string ETag)> GetAsync(long chipId, int size, Func<Task<byte[]>> render)
    {
        var key = (chipId, size);
        if (cache.TryGetValue(key, out (byte[] Png, string ETag) hit)) return hit;
        var png = await render();
        var entry = (png, $"\"{Convert.ToHexStringLower(SHA256.HashData(png).AsSpan(0, 12))}\"");
        cache.Set(key, entry, new MemoryCacheEntryOptions { Size = png.Length + 64 });
        return entry;
    }

    public void Dispose() => cache.Dispose();
}
