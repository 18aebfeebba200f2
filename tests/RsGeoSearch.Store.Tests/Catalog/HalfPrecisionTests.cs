using Npgsql;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store.Tests.Catalog;

/// <summary>A 512-d model is stored as halfvec with a halfvec_cosine_ops HNSW index and searched like a float one.</summary>
[TestFixture]
public sealed class HalfPrecisionTests
{
    private const int Dim = 512;
    private CatalogStore _store = null!;
    private SyntheticCatalog _data = null!;
    private SyntheticCatalog _float = null!;
    private readonly Random _rng = new(99);
    // The catalogues lie east of the other fixtures' (which start at 10°E), so their scene and extent counts stay theirs.
    private static readonly BoundingBox WideBox = BoundingBox.Create(101.05, 40.55, 103.03, 43.47);

    [OneTimeSetUp]
    public async Task LoadAsync()
    {
        _store = CatalogStore.Create(SharedDatabase.ConnectionString);
        _data = await SyntheticCatalog.WriteAsync(_store, "half-test", seed: 512, dimension: Dim, west: 100);
        _float = await SyntheticCatalog.WriteAsync(_store, "half-test-float", seed: 512, dimension: Dim, halfPrecision: false, west: 120);
    }

    [OneTimeTearDown]
    public async Task CloseAsync() => await _store.DisposeAsync();

    [Test]
    public async Task Models_from_512_dimensions_are_stored_as_halfvec_and_smaller_ones_as_vector_unless_asked()
    {
        Assert.That(_data.Model.HalfPrecision, Is.True);
        Assert.That((await _store.Models.GetAsync("half-test")).HalfPrecision, Is.True, "recorded in models.storage");
        Assert.That((await _store.Models.RegisterAsync("half-small", 64)).HalfPrecision, Is.False);
        Assert.That((await _store.Models.RegisterAsync("half-asked", 64, halfPrecision: true)).HalfPrecision, Is.True);
        Assert.That((await _store.Models.RegisterAsync("half-refused", 768, halfPrecision: false)).HalfPrecision, Is.False);

        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand($"""
            SELECT pg_get_indexdef(to_regclass('{SchemaMigrator.Schema}.{_data.Model.IndexName}')),
                   count(*) FILTER (WHERE embedding_half IS NOT NULL), count(*) FILTER (WHERE embedding IS NOT NULL),
                   avg(pg_column_size(embedding_half))
            FROM embeddings WHERE model_id = {_data.Model.Id}
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.That(reader.GetString(0), Does.Contain("halfvec_cosine_ops").And.Contain("embedding_half"));
        Assert.That(reader.GetInt64(1), Is.EqualTo(_data.Items.Count));
        Assert.That(reader.GetInt64(2), Is.Zero);
        Assert.That(reader.GetDecimal(3), Is.EqualTo(8 + 2 * Dim), "2 bytes a dimension plus the varlena header and pgvector's dimension field");
    }

    [Test]
    public async Task Exact_and_index_plans_rank_like_float_brute_force()
    {
        Assert.That(_float.Model.HalfPrecision, Is.False);
        double found = 0, foundFloat = 0;
        for (var i = 0; i < 10; i++)
        {
            var q = SyntheticCatalog.RandomUnitVector(_rng, Dim);
            var exact = await _store.Chips.SearchAsync(new SearchQuery(_data.Model.Name, q, WideBox, default, 10, 0, null, null), SearchPlan.Exact);
            var expected = _data.BruteForce(q, WideBox, default).Take(10).ToList();
            // float16 moves cosines by ~1e-4; random 512-d vectors sit ~0.04 apart at the top, so the order holds.
            Assert.That(exact.Hits.Select(h => h.Score), Is.EqualTo(expected.Select(e => e.Score)).Within(2e-3));
            Assert.That(exact.Hits.Select(h => h.ChipId).Intersect(expected.Select(e => e.Id)).Count(), Is.GreaterThanOrEqualTo(9));

            var index = await _store.Chips.SearchAsync(new SearchQuery(_data.Model.Name, q, null, default, 10, 0, null, null), SearchPlan.Index);
            Assert.That(index.Plan, Is.EqualTo(SearchPlan.Index));
            Assert.That(index.Hits, Has.Count.EqualTo(10));
            found += index.Hits.Select(h => h.ChipId).Intersect(_data.BruteForce(q, null, default).Take(10).Select(e => e.Id)).Count();
            var twin = await _store.Chips.SearchAsync(new SearchQuery(_float.Model.Name, q, null, default, 10, 0, null, null), SearchPlan.Index);
            foundFloat += twin.Hits.Select(h => h.ChipId).Intersect(_float.BruteForce(q, null, default).Take(10).Select(e => e.Id)).Count();
        }
        // Uniform random 512-d vectors are HNSW's hardest case; the point is that halfvec loses nothing against float.
        TestContext.Out.WriteLine($"recall@10 index plan: halfvec {found / 100:F2}, float {foundFloat / 100:F2}");
        Assert.That(found / 100, Is.GreaterThanOrEqualTo(foundFloat / 100 - 0.05), "halfvec recall against float brute force vs the float index's");
    }

    [Test]
    public async Task Stored_halfvec_embeddings_read_back_as_floats_within_float16_rounding()
    {
        var item = _data.Items[17];
        var stored = await _store.Chips.GetEmbeddingsAsync(_data.Model.Name, [item.Id]);
        Assert.That(stored[item.Id], Is.EqualTo(item.Vector).Within(1e-3));
    }
}
