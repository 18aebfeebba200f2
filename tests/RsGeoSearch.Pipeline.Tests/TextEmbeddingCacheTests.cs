using RsGeoSearch.Pipeline.Search;

namespace RsGeoSearch.Pipeline.Tests;

/// <summary>The LRU cache of text embeddings: hits, eviction of the least recently used, the weights in the key, concurrency.</summary>
public sealed class TextEmbeddingCacheTests
{
    private readonly List<string> _encoded = [];

    [SetUp]
    public void Forget() => _encoded.Clear();

    private float[][] Encode(IReadOnlyList<string> texts)
    {
        lock (_encoded) _encoded.AddRange(texts);
        return texts.Select(t => new float[] { t.Length, t[0] }).ToArray();
    }

    [Test]
    public void A_repeated_text_is_a_hit_and_is_not_encoded_again()
    {
        var cache = new TextEmbeddingCache(4);
        var first = cache.GetOrAdd("w1", ["farmland", "lake"], Encode);
        var second = cache.GetOrAdd("w1", ["lake", "harbour"], Encode);
        Assert.That(_encoded, Is.EqualTo(new[] { "farmland", "lake", "harbour" }), "only the new text went to the encoder");
        Assert.That(second[0], Is.EqualTo(first[1]));
        Assert.That(cache.Statistics, Is.EqualTo(new Core.CacheStatistics(1, 3, 3)));
    }

    [Test]
    public void The_least_recently_used_entry_is_evicted_at_capacity()
    {
        var cache = new TextEmbeddingCache(2);
        cache.GetOrAdd("w", ["a"], Encode);
        cache.GetOrAdd("w", ["b"], Encode);
        cache.GetOrAdd("w", ["a"], Encode); // a is now the most recent
        cache.GetOrAdd("w", ["c"], Encode); // evicts b
        _encoded.Clear();
        cache.GetOrAdd("w", ["a", "c"], Encode);
        Assert.That(_encoded, Is.Empty, "a and c stayed");
        cache.GetOrAdd("w", ["b"], Encode);
        Assert.That(_encoded, Is.EqualTo(new[] { "b" }), "b was evicted");
        Assert.That(cache.Statistics.Entries, Is.EqualTo(2));
    }

    [Test]
    public void Other_weights_are_a_miss()
    {
        var cache = new TextEmbeddingCache();
        cache.GetOrAdd("weights-1", ["forest"], Encode);
        cache.GetOrAdd("weights-2", ["forest"], Encode);
        Assert.That(_encoded, Is.EqualTo(new[] { "forest", "forest" }));
        Assert.That(cache.Statistics, Is.EqualTo(new Core.CacheStatistics(0, 2, 2)));
    }

    [Test]
    public void Callers_get_copies_so_changing_one_leaves_the_cache_intact()
    {
        var cache = new TextEmbeddingCache();
        var v = cache.GetOrAdd("w", ["river"], Encode)[0];
        v[0] = -99;
        Assert.That(cache.GetOrAdd("w", ["river"], Encode)[0][0], Is.EqualTo(5));
    }

    [Test]
    public void Concurrent_look_ups_stay_within_capacity_and_count_every_look_up()
    {
        var cache = new TextEmbeddingCache(16);
        Parallel.For(0, 2000, i => cache.GetOrAdd("w", [$"text {i % 40}"], Encode));
        var stats = cache.Statistics;
        Assert.That(stats.Hits + stats.Misses, Is.EqualTo(2000));
        Assert.That(stats.Entries, Is.EqualTo(16));
    }
}
