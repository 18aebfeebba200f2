using RsGeoSearch.Core;
using RsGeoSearch.Inference;

namespace RsGeoSearch.Pipeline.Search;

/// <summary>
/// The embeddings of query texts (<c>q=</c>) and negative terms (<c>not=</c>), least recently used first out, keyed by
/// the model's weights fingerprint and the text (so a retrained model under the same name never sees stale vectors).
/// Thread-safe; a repeated query skips the text encoder. Counts hits and misses for <c>GET /health</c>.
/// </summary>
public sealed class TextEmbeddingCache
{
    public const int DefaultCapacity = 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Fingerprint, string Text), LinkedListNode<Entry>> _map = [];
    private readonly LinkedList<Entry> _order = new(); // most recent first
    private long _hits;
    private long _misses;

    public TextEmbeddingCache(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public CacheStatistics Statistics
    {
        get
        {
            lock (_lock) return new CacheStatistics(_hits, _misses, _map.Count);
        }
    }

    /// <summary>
    /// The embedding of each text (as <see cref="QueryVector.FromTexts"/> makes it) for the model with weights
    /// <paramref name="fingerprint"/>; the texts not cached are computed by <paramref name="embed"/> in one call.
    /// Returns copies: callers may change them.
    /// </summary>
    public float[][] GetOrAdd(string fingerprint, IReadOnlyList<string> texts, Func<IReadOnlyList<string>, float[][]> embed)
    {
        var result = new float[texts.Count][];
        var missing = new List<int>();
        lock (_lock)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                if (_map.TryGetValue((fingerprint, texts[i]), out var node))
                {
                    _order.Remove(node);
                    _order.AddFirst(node);
                    result[i] = node.Value.Vector;
                    _hits++;
                }
                else
                {
                    missing.Add(i);
                    _misses++;
                }
            }
        }
        if (missing.Count > 0)
        {
            // Encoded outside the lock: other queries are not held up by this one's encoder run.
            var computed = embed(missing.Select(i => texts[i]).ToArray());
            lock (_lock)
                for (var k = 0; k < missing.Count; k++)
                {
                    var i = missing[k];
                    result[i] = computed[k];
                    var key = (fingerprint, texts[i]);
                    if (_map.TryGetValue(key, out var existing)) _order.Remove(existing);
                    var node = _order.AddFirst(new Entry(key, computed[k]));
                    _map[key] = node;
                    while (_map.Count > Capacity)
                    {
                        var last = _order.Last!;
                        _order.RemoveLast();
                        _map.Remove(last.Value.Key);
                    }
                }
        }
        return result.Select(v => (float[])v.Clone()).ToArray();
    }

    /// <summary>The embeddings of <paramref name="texts"/> under <paramref name="model"/>, from the cache where it has them.</summary>
    public float[][] Get(Model model, IReadOnlyList<string> texts) =>
        GetOrAdd(model.Fingerprint, texts, missing => QueryVector.FromTexts(model, missing));

    private sealed record Entry((string Fingerprint, string Text) Key, float[] Vector);
}
