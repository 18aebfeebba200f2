namespace RsGeoSearch.Api.Tests;

/// <summary>GET /health reports the text-embedding cache; a repeated text query is a hit.</summary>
public sealed class HealthCacheTests : ApiTestBase
{
    [Test]
    public async Task Health_counts_text_embedding_cache_hits_of_a_repeated_query()
    {
        await GetJsonAsync("/search?q=a%20river%20between%20fields");
        var before = (await GetJsonAsync("/health")).GetProperty("text_embedding_cache");
        await GetJsonAsync("/search?q=a%20river%20between%20fields");
        var after = (await GetJsonAsync("/health")).GetProperty("text_embedding_cache");
        Assert.That(after.GetProperty("hits").GetInt64(), Is.GreaterThanOrEqualTo(before.GetProperty("hits").GetInt64() + 1));
        Assert.That(after.GetProperty("entries").GetInt32(), Is.GreaterThanOrEqualTo(1));
        Assert.That(after.GetProperty("misses").GetInt64(), Is.GreaterThanOrEqualTo(1));
    }
}
