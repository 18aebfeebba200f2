using Npgsql;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store.Tests.Catalog;

/// <summary>A model whose vector index is IVFFlat: built once it has enough embeddings, kept in the catalog, used by the index plan.</summary>
[TestFixture]
public sealed class IvfFlatTests
{
    private CatalogStore _store = null!;
    private SyntheticCatalog _data = null!;
    private readonly Random _rng = new(11);

    private static readonly TimeRange Year2021 = TimeRange.Create(new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2021, 12, 31, 23, 59, 59, TimeSpan.Zero));

    [OneTimeSetUp]
    public async Task LoadAsync()
    {
        _store = CatalogStore.Create(SharedDatabase.ConnectionString, new CatalogStoreOptions { IvfFlatMinRows = 1_000 });
        _data = await SyntheticCatalog.WriteAsync(_store, "ivf-test", seed: 4321, west: 40);
        await _store.Models.SetVectorIndexAsync("ivf-test", VectorIndexKind.IvfFlat);
    }

    [OneTimeTearDown]
    public async Task CloseAsync() => await _store.DisposeAsync();

    private async Task<string?> IndexDefinitionAsync(string name)
    {
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand($"SELECT pg_get_indexdef(to_regclass('{SchemaMigrator.Schema}.{name}'))", conn);
        return await cmd.ExecuteScalarAsync() as string;
    }

    [Test]
    public async Task The_choice_is_recorded_and_the_index_has_a_list_per_thousand_embeddings()
    {
        var model = await _store.Models.GetAsync("ivf-test");
        Assert.That(model.VectorIndex, Is.EqualTo(VectorIndexKind.IvfFlat));
        Assert.That(model.IndexName, Is.EqualTo($"embeddings_ivfflat_m{model.Id}"));
        Assert.That(await IndexDefinitionAsync(model.IndexName), Does.Contain("USING ivfflat").And.Contain("lists='5'"));
        Assert.That(await IndexDefinitionAsync($"embeddings_hnsw_m{model.Id}"), Is.Null, "the HNSW index is dropped");
        await using var other = CatalogStore.Create(SharedDatabase.ConnectionString);
        Assert.That((await other.Models.GetAsync("ivf-test")).VectorIndex, Is.EqualTo(VectorIndexKind.IvfFlat), "another process reads the choice");
    }

    [Test]
    public async Task The_index_plan_reads_the_ivfflat_index_and_ranks_like_brute_force([Values] bool time)
    {
        // With 5 lists every list is probed (at least 10 probes), so the index plan must equal the exact answer.
        var range = time ? Year2021 : default;
        for (var i = 0; i < 5; i++)
        {
            var q = SyntheticCatalog.RandomUnitVector(_rng, SyntheticCatalog.Dimension);
            var result = await _store.Chips.SearchAsync(new SearchQuery(_data.Model.Name, q, Time: range), SearchPlan.Index);
            Assert.That(result.Plan, Is.EqualTo(SearchPlan.Index));
            Assert.That(result.Hits.Select(h => h.ChipId), Is.EqualTo(_data.BruteForce(q, null, range).Take(10).Select(e => e.Id)));
        }

        var query = new SearchQuery(_data.Model.Name, SyntheticCatalog.RandomUnitVector(_rng, SyntheticCatalog.Dimension), Time: range);
        await using var conn = await _store.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var p = new SqlParameters();
        await using var cmd = p.Command($"{ChipSql.IvfSettings(10)};\nEXPLAIN {ChipSql.Search(_data.Model, query, SearchPlan.Index, 40, null, false, p)}", conn, tx);
        var plan = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (reader.FieldCount == 0 && await reader.NextResultAsync()) { }
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        }
        Assert.That(string.Join("\n", plan), Does.Contain($"embeddings_ivfflat_m{_data.Model.Id}"));
    }

    [Test]
    public async Task Below_the_minimum_a_model_has_no_index_and_searches_scan_exactly_then_switching_back_builds_the_graph()
    {
        var small = await _store.Models.RegisterAsync("ivf-small", SyntheticCatalog.Dimension);
        small = await _store.Models.SetVectorIndexAsync(small.Name, VectorIndexKind.IvfFlat);
        Assert.That(await _store.Models.HasVectorIndexAsync(small), Is.False, "no embeddings to train lists on");
        Assert.That(await IndexDefinitionAsync($"embeddings_hnsw_m{small.Id}"), Is.Null);

        var hnsw = await _store.Models.SetVectorIndexAsync(small.Name, VectorIndexKind.Hnsw);
        Assert.That(hnsw.VectorIndex, Is.EqualTo(VectorIndexKind.Hnsw));
        Assert.That(await IndexDefinitionAsync(hnsw.IndexName), Does.Contain("USING hnsw"));
    }
}
