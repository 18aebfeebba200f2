using Npgsql;
using RsGeoSearch.Store.Cluster;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Store.Tests.Cluster;

/// <summary>
/// A real local Citus cluster (coordinator + 2 workers, Citus built by setup.sh --tests): start, registration,
/// status, stop/restart, and the faults of a worker that is down, lacks an extension or runs another Citus.
/// </summary>
[TestFixture]
public sealed class CitusClusterTests
{
    private string _directory = null!;
    private CitusCluster _citus = null!;
    private Catalog.SyntheticCatalog? _catalog;

    [OneTimeSetUp]
    public void Create()
    {
        _directory = Directory.CreateTempSubdirectory("rsgeo-citus-").FullName;
        _citus = Open(2)!;
    }

    [OneTimeTearDown]
    public async Task Delete()
    {
        try { await _citus.DeleteAsync(); }
        catch (Exception e) { TestContext.Progress.WriteLine($"[citus] could not clean up {_directory}: {e.Message}"); }
    }

    private CitusCluster? Open(int? workers) =>
        CitusCluster.Open(new EmbeddedClusterOptions { Directory = _directory, NoSync = true }, workers,
            new Progress<string>(m => TestContext.Progress.WriteLine($"[citus] {m}")));

    [Test, Order(1)]
    public async Task Start_creates_a_coordinator_and_two_registered_workers_with_every_extension()
    {
        var result = await _citus.StartAsync();
        Assert.That(result.SchemaVersion, Is.EqualTo(SchemaMigrator.LatestVersion));

        var nodes = await QueryAsync(_citus.Coordinator, "SELECT nodename || ':' || nodeport FROM pg_dist_node WHERE groupid <> 0 ORDER BY nodeid");
        Assert.That(nodes, Is.EqualTo(_citus.Workers.Select(w => $"{w.SocketDirectory}:{w.Port}").ToArray()), "both workers are registered by their sockets");
        foreach (var (name, node) in _citus.Nodes)
        {
            var exts = await QueryAsync(node, "SELECT extname FROM pg_extension WHERE extname IN ('citus', 'postgis', 'vector') ORDER BY oid");
            Assert.That(exts, Is.EqualTo(new[] { "citus", "postgis", "vector" }), $"{name}: citus is created first, then postgis and vector");
        }
        // A query that runs on every worker works (the coordinator reaches both through their sockets).
        var answers = await QueryAsync(_citus.Coordinator, "SELECT result FROM run_command_on_workers('SELECT extversion FROM pg_extension WHERE extname = ''vector''') WHERE success");
        Assert.That(answers, Has.Length.EqualTo(2));
        Assert.That(File.Exists(Path.Combine(_directory, "citus.json")), Is.True);
    }

    [Test, Order(2)]
    public async Task A_second_start_changes_nothing_and_open_without_workers_finds_the_cluster()
    {
        var again = await Open(null)!.StartAsync();
        Assert.That(again.AlreadyRunning, Is.True);
        Assert.That(again.MigrationsApplied, Is.Zero);
        var count = await QueryAsync(_citus.Coordinator, "SELECT count(*)::text FROM pg_dist_node");
        Assert.That(count, Is.EqualTo(new[] { "3" }), "coordinator + 2 workers, nothing registered twice");
        Assert.That(CitusCluster.Open(new EmbeddedClusterOptions { Directory = Directory.CreateTempSubdirectory("rsgeo-single-").FullName }), Is.Null,
            "a directory without citus.json stays a single node");
    }

    [Test, Order(3)]
    public async Task Status_shows_every_node_up_with_the_citus_version()
    {
        await _citus.StartAsync();
        var status = await _citus.GetStatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That(status.CitusVersion, Is.EqualTo(CitusCluster.CitusVersion));
            Assert.That(status.Coordinator.State, Is.EqualTo(ClusterState.Running));
            Assert.That(status.Workers.Select(w => w.State), Is.All.EqualTo(ClusterState.Running));
            Assert.That(status.Workers.Select(w => w.Host), Is.EqualTo(_citus.Workers.Select(w => w.SocketDirectory)));
            Assert.That(status.Workers.Select(w => w.Shards), Is.All.Not.Null);
        });
    }

    [Test, Order(4)]
    public async Task A_worker_without_vector_is_named_with_the_fix()
    {
        await _citus.StartAsync();
        // The worker's catalogue loses its vector extension (renamed: dropping it would drop the shards' vector columns).
        await ExecuteAsync(_citus.Workers[1], "UPDATE pg_extension SET extname = 'vector_gone' WHERE extname = 'vector'");
        try
        {
            var e = Assert.ThrowsAsync<CitusNodeException>(MigrateCoordinatorAsync)!;
            Assert.That(e.Message, Does.StartWith($"worker {_citus.Workers[1].SocketDirectory}:{_citus.Workers[1].Port}: lacks the extension 'vector'"));
            Assert.That(e.Message, Does.Contain("pgvector"));
            Assert.That(e.Message, Does.Not.Contain("\n"), "one line");
        }
        finally
        {
            await ExecuteAsync(_citus.Workers[1], "UPDATE pg_extension SET extname = 'vector' WHERE extname = 'vector_gone'");
        }
        Assert.DoesNotThrowAsync(MigrateCoordinatorAsync);
    }

    [Test, Order(5)]
    public async Task A_worker_with_another_citus_version_is_named()
    {
        await _citus.StartAsync();
        // The worker's catalogue claims another Citus release, as after installing a different package there.
        await ExecuteAsync(_citus.Workers[0], "UPDATE pg_extension SET extversion = '13.1-1' WHERE extname = 'citus'");
        try
        {
            var e = Assert.ThrowsAsync<CitusNodeException>(MigrateCoordinatorAsync)!;
            Assert.That(e.Message, Does.StartWith($"worker {_citus.Workers[0].SocketDirectory}:{_citus.Workers[0].Port}"));
            Assert.That(e.Message, Does.Contain("runs Citus 13.1-1 but the coordinator runs 13.2-1"));
        }
        finally
        {
            await ExecuteAsync(_citus.Workers[0], "UPDATE pg_extension SET extversion = '13.2-1' WHERE extname = 'citus'");
        }
    }

    [Test, Order(6)]
    public async Task A_worker_that_is_down_is_named_and_status_shows_it_down()
    {
        await _citus.StartAsync();
        await _citus.Workers[1].StopAsync();
        var e = Assert.ThrowsAsync<CitusNodeException>(MigrateCoordinatorAsync)!;
        Assert.That(e.Message, Does.StartWith($"worker {_citus.Workers[1].SocketDirectory}:{_citus.Workers[1].Port}: does not answer"));
        Assert.That(e.Message, Does.Contain("start it"));

        var status = await _citus.GetStatusAsync();
        Assert.That(status.Workers.Select(w => w.State), Is.EqualTo(new[] { ClusterState.Running, ClusterState.Stopped }));
        await _citus.StartAsync();
        Assert.That((await _citus.GetStatusAsync()).Workers.Select(w => w.State), Is.All.EqualTo(ClusterState.Running), "start brings the stopped worker back");
    }

    [Test, Order(7)]
    public async Task A_worker_that_cannot_start_fails_the_start_naming_it_and_stops_what_it_started()
    {
        await _citus.StopAsync();
        var version = Path.Combine(_citus.Workers[1].DataDirectory, "PG_VERSION");
        var saved = Path.Combine(_directory, "PG_VERSION.saved");
        File.Move(version, saved);
        try
        {
            var e = Assert.ThrowsAsync<CitusNodeException>(() => _citus.StartAsync())!;
            Assert.That(e.Node, Is.EqualTo("worker 2"));
            Assert.That(e.Message, Does.StartWith($"worker 2 ({_citus.Workers[1].Options.Directory}): did not start"));
            var status = await _citus.GetStatusAsync();
            Assert.That(status.Coordinator.State, Is.EqualTo(ClusterState.Stopped), "the nodes this start started are stopped again");
            Assert.That(status.Workers[0].State, Is.EqualTo(ClusterState.Stopped));
        }
        finally
        {
            File.Move(saved, version);
        }
        await _citus.StartAsync();
    }

    [Test, Order(8)]
    public async Task Stop_stops_every_node_and_a_restart_keeps_the_registration()
    {
        await _citus.StartAsync();
        Assert.That(await _citus.StopAsync(), Is.EqualTo(3));
        var stopped = await _citus.GetStatusAsync();
        Assert.That(stopped.Workers.Select(w => w.State).Append(stopped.Coordinator.State), Is.All.EqualTo(ClusterState.Stopped));
        Assert.That(await _citus.StopAsync(), Is.Zero);

        await Open(null)!.StartAsync();
        var workers = await QueryAsync(_citus.Coordinator, "SELECT count(*)::text FROM pg_dist_node WHERE groupid <> 0 AND isactive");
        Assert.That(workers, Is.EqualTo(new[] { "2" }));
    }

    [Test, Order(9)]
    public async Task The_catalog_is_distributed_by_cell_with_reference_tables_and_hnsw_on_every_shard()
    {
        await _citus.StartAsync();
        var placement = await QueryAsync(_citus.Coordinator, """
            SELECT n.nspname || '.' || c.relname || ' ' || CASE partmethod WHEN 'n' THEN 'reference' ELSE column_to_column_name(logicalrelid, partkey) END
            FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'rsgeo' ORDER BY 1
            """);
        Assert.That(placement, Is.EqualTo(new[]
        {
            "rsgeo.chips cell", "rsgeo.embeddings cell", "rsgeo.models reference", "rsgeo.scene_models reference", "rsgeo.scenes reference",
        }));
        var colocated = await QueryAsync(_citus.Coordinator,
            "SELECT count(DISTINCT colocationid)::text FROM pg_dist_partition WHERE logicalrelid IN ('rsgeo.chips'::regclass, 'rsgeo.embeddings'::regclass)");
        Assert.That(colocated, Is.EqualTo(new[] { "1" }), "chips and embeddings are co-located");

        await using var store = CatalogStore.Create(_citus.Coordinator.GetConnectionString());
        var catalog = _catalog = await Catalog.SyntheticCatalog.WriteAsync(store, "citus-prune", seed: 18);
        // The model's HNSW index exists on every shard of embeddings, on both workers.
        var indexes = await QueryAsync(_citus.Coordinator, $"""
            SELECT nodename || ' ' || count(*) FROM run_command_on_placements('rsgeo.embeddings',
                $$SELECT count(*) FROM pg_index i WHERE i.indrelid = '%s'::regclass AND position('USING hnsw' in pg_get_indexdef(i.indexrelid)) > 0$$)
            WHERE success AND result::int = 1 GROUP BY nodename ORDER BY 1
            """);
        var shards = await QueryAsync(_citus.Coordinator, "SELECT count(*)::text FROM citus_shards WHERE table_name = 'rsgeo.embeddings'::regclass");
        Assert.That(indexes.Sum(l => int.Parse(l.Split(' ')[1])), Is.EqualTo(int.Parse(shards[0])), "one HNSW index per shard");
        Assert.That(indexes, Has.Length.EqualTo(2), "shards (and their indexes) on both workers");

        // A bbox inside one scene: the coordinator plans one task (one shard); without a box every shard is asked.
        var oneScene = await ExplainTaskCountAsync(catalog.Model, withBox: true);
        var everywhere = await ExplainTaskCountAsync(catalog.Model, withBox: false);
        Assert.That(oneScene, Is.EqualTo(1), "the bbox prunes to the shard of its cell");
        Assert.That(everywhere, Is.EqualTo(int.Parse(shards[0])));

        // Each place's chips are stored in exactly one shard (read from the shards themselves), and the 40 places spread over several.
        var cellsPerShard = await QueryAsync(_citus.Coordinator, """
            SELECT count(*)::text || ' ' || count(DISTINCT shardid)::text || ' ' || max(n)::text FROM (
                SELECT cell, count(*) AS n, min(shardid) AS shardid FROM (
                    SELECT shardid, unnest(string_to_array(result, ','))::int AS cell
                    FROM run_command_on_placements('rsgeo.chips', $$SELECT coalesce(string_agg(DISTINCT cell::text, ','), '') FROM %s$$)
                    WHERE success AND result <> '') x GROUP BY cell) y
            """);
        var parts = cellsPerShard[0].Split(' ');
        Assert.That(parts[0], Is.EqualTo("40"), "40 scenes in 40 one-degree cells");
        Assert.That(int.Parse(parts[1]), Is.GreaterThan(1), "the cells spread over several shards");
        Assert.That(parts[2], Is.EqualTo("1"), "no cell is split over two shards");
    }

    [Test, Order(10)]
    public async Task A_worker_killed_during_ingest_and_query_loses_nothing_and_a_rerun_stores_every_chip_once()
    {
        await _citus.StartAsync();
        await using var store = CatalogStore.Create(_citus.Coordinator.GetConnectionString());
        var model = await store.Models.RegisterAsync("citus-kill", Catalog.SyntheticCatalog.Dimension);
        // A scene in a cell whose shard is on worker 1.
        var worker = _citus.Workers[0];
        double x0 = 0;
        for (var lon = -170; lon < 170; lon++)
        {
            var cell = (int.Parse((await QueryAsync(_citus.Coordinator, $"SELECT rsgeo.scene_cell(ST_MakeEnvelope({lon}, 10, {lon + 1}, 11, 4326))::text"))[0]));
            if (await CitusFaults.WorkerOfCellAsync(_citus, cell) == worker) { x0 = lon; break; }
        }
        var scene = new RsGeoSearch.Core.Scene("file:///kill/scene.tif", Catalog.SyntheticCatalog.Sha("citus-kill"), "EPSG:4326", DateTimeOffset.Parse("2021-05-01T10:00:00Z"),
            RsGeoSearch.Core.AcquisitionSource.Metadata, Catalog.SyntheticCatalog.Box(x0, 10, x0 + 1, 11), 800, 800, 3);
        var rng = new Random(7);
        var chips = Enumerable.Range(0, 64).Select(i => new ChipEmbedding(
            new RsGeoSearch.Core.Chip(0, i % 8, i / 8, new RsGeoSearch.Core.PixelWindow(i % 8 * 100, i / 8 * 100, 100, 100),
                Catalog.SyntheticCatalog.Box(x0 + i % 8 / 8.0, 11 - (i / 8 + 1) / 8.0, x0 + (i % 8 + 1) / 8.0, 11 - i / 8 / 8.0), 0, null),
            Catalog.SyntheticCatalog.RandomUnitVector(rng, Catalog.SyntheticCatalog.Dimension))).ToArray();
        var reg = await store.Ingest.BeginSceneAsync(scene, model);
        await store.Ingest.WriteChipsAsync(reg.SceneId, model, chips[..32]);

        CitusFaults.Kill(worker);
        // The store classifies a lost worker itself: RsGeoSearch.Core.ServiceUnavailableException (the API answers 503), caused by a connection failure.
        var write = Assert.CatchAsync<RsGeoSearch.Core.ServiceUnavailableException>(() => store.Ingest.WriteChipsAsync(reg.SceneId, model, chips[32..]))!.InnerException;
        var query = Assert.CatchAsync<RsGeoSearch.Core.ServiceUnavailableException>(() => store.Chips.SearchAsync(new RsGeoSearch.Core.SearchQuery("citus-kill", chips[0].Embedding)))!.InnerException;
        foreach (var e in new[] { write, query })
            Assert.That(e is NpgsqlException && (e is not PostgresException p || p.SqlState.StartsWith("08", StringComparison.Ordinal) || CitusTopology.IsWorkerConnectionFailure(p)), Is.True,
                $"a lost worker is a connection failure (the API answers 503): {e?.Message}");

        await _citus.StartAsync(); // restarts the killed worker
        Assert.That(await CountChipsAsync(reg.SceneId), Is.EqualTo(32), "the failed batch left nothing behind");
        foreach (var batch in chips.Chunk(16)) await store.Ingest.WriteChipsAsync(reg.SceneId, model, batch); // the re-run
        await store.Ingest.CompleteSceneAsync(reg.SceneId, model, expectedChips: 64);
        Assert.That(await CountChipsAsync(reg.SceneId), Is.EqualTo(64));
        var hits = (await store.Chips.SearchAsync(new RsGeoSearch.Core.SearchQuery("citus-kill", chips[5].Embedding, Limit: 3))).Hits;
        Assert.That(hits[0].ChipId, Is.Not.Zero);
        Assert.That(hits, Has.Count.EqualTo(3));
    }

    [Test, Order(11)]
    public async Task A_third_worker_gets_shards_by_rebalancing_and_every_query_answers_as_before()
    {
        await _citus.StartAsync();
        await using var store = CatalogStore.Create(_citus.Coordinator.GetConnectionString());
        var catalog = _catalog ??= await Catalog.SyntheticCatalog.WriteAsync(store, "citus-prune", seed: 18);
        var model = catalog.Model;
        // A second acquisition of three places (level 0 only), so that change detection has same-place pairs.
        var rng = new Random(11);
        for (var sx = 0; sx < 3; sx++)
        {
            var scene = new RsGeoSearch.Core.Scene($"file:///synthetic/second-{sx}.tif", Catalog.SyntheticCatalog.Sha($"second-{sx}"), "EPSG:32633",
                DateTimeOffset.Parse("2022-06-01T10:30:00Z"), RsGeoSearch.Core.AcquisitionSource.Metadata, Catalog.SyntheticCatalog.Box(10 + sx, 40, 11 + sx, 41), 1000, 1000, 3);
            var reg = await store.Ingest.BeginSceneAsync(scene, model);
            var chips = Enumerable.Range(0, 100).Select(i => new ChipEmbedding(
                new RsGeoSearch.Core.Chip(0, i % 10, i / 10, new RsGeoSearch.Core.PixelWindow(i % 10 * 100, i / 10 * 100, 100, 100),
                    Catalog.SyntheticCatalog.Box(10 + sx + i % 10 / 10.0, 41 - (i / 10 + 1) / 10.0, 10 + sx + (i % 10 + 1) / 10.0, 41 - i / 10 / 10.0), 0, null),
                Catalog.SyntheticCatalog.RandomUnitVector(rng, model.Dimension))).ToArray();
            await store.Ingest.WriteChipsAsync(reg.SceneId, model, chips);
            await store.Ingest.CompleteSceneAsync(reg.SceneId, model, chips.Length);
        }
        var changes = new ChangeCandidatesQuery(model.Name, RsGeoSearch.Core.BoundingBox.Create(10.01, 40.01, 12.99, 40.99), RsGeoSearch.Core.TimeRange.All);
        var box = RsGeoSearch.Core.BoundingBox.Create(12.237, 41.213, 12.861, 41.689);
        var queries = Enumerable.Range(0, 5).Select(_ => Catalog.SyntheticCatalog.RandomUnitVector(rng, model.Dimension)).ToArray();

        async Task<(long[][] Exact, long[][] InBox, ChipPair[] Pairs)> AskAsync()
        {
            var exact = new List<long[]>();
            var inBox = new List<long[]>();
            foreach (var q in queries)
            {
                var all = await store.Chips.SearchAsync(new RsGeoSearch.Core.SearchQuery(model.Name, q, Limit: 10), SearchPlan.Exact);
                exact.Add(all.Hits.Select(h => h.ChipId).ToArray());
                var index = await store.Chips.SearchAsync(new RsGeoSearch.Core.SearchQuery(model.Name, q, Limit: 10), SearchPlan.Index);
                Assert.That(index.Hits, Has.Count.EqualTo(10), "exactly k rows from the index scans of every shard");
                Assert.That(index.Hits.Select(h => h.ChipId).Intersect(exact[^1]).Count(), Is.GreaterThanOrEqualTo(9), "recall@10 against exact");
                var boxed = await store.Chips.SearchAsync(new RsGeoSearch.Core.SearchQuery(model.Name, q, box, Limit: 10), SearchPlan.Exact);
                inBox.Add(boxed.Hits.Select(h => h.ChipId).ToArray());
            }
            var pairs = (await store.Changes.GetCandidatesAsync(changes)).Pairs.OrderBy(p => p.Before).ThenBy(p => p.After).ToArray();
            return (exact.ToArray(), inBox.ToArray(), pairs);
        }

        var before = await AskAsync();
        var shardsBefore = await QueryAsync(_citus.Coordinator, "SELECT count(*)::text FROM citus_shards WHERE citus_table_type = 'distributed'");

        // rsgeo db start --workers 3 on the running 2-worker cluster: registers the new worker and rebalances.
        _citus = Open(3)!;
        var restarted = await _citus.StartAsync();
        Assert.That(restarted.AlreadyRunning, Is.True, "the coordinator kept running");
        var third = _citus.Workers[2];
        var placements = await QueryAsync(_citus.Coordinator, """
            SELECT nodename || ' ' || count(*) FILTER (WHERE table_name = 'rsgeo.chips'::regclass) || ' ' || count(*) FILTER (WHERE table_name = 'rsgeo.embeddings'::regclass)
            FROM citus_shards WHERE citus_table_type = 'distributed' GROUP BY nodename ORDER BY nodename
            """);
        Assert.That(placements, Has.Length.EqualTo(3), "every worker holds shards");
        var onThird = placements.Single(p => p.StartsWith(third.SocketDirectory + " ", StringComparison.Ordinal)).Split(' ');
        Assert.That(int.Parse(onThird[1]), Is.GreaterThan(0), "chips shards moved to the new worker");
        Assert.That(onThird[2], Is.EqualTo(onThird[1]), "their embeddings shards moved with them (co-location kept)");
        Assert.That(await QueryAsync(_citus.Coordinator, "SELECT count(*)::text FROM citus_shards WHERE citus_table_type = 'distributed'"), Is.EqualTo(shardsBefore));
        var status = await _citus.GetStatusAsync();
        var stored = long.Parse((await QueryAsync(_citus.Coordinator, "SELECT count(*)::text FROM rsgeo.chips"))[0]);
        Assert.That(status.Workers.Select(w => w.Chips).Sum(), Is.EqualTo(stored), "every chip is on exactly one worker");
        Assert.That(status.Workers[2].Chips, Is.GreaterThan(0));
        Assert.That(await _citus.RebalanceAsync(), Is.Zero, "balanced: nothing left to move");

        var after = await AskAsync();
        Assert.That(after.Exact, Is.EqualTo(before.Exact), "the exact top-10 of every query is unchanged");
        Assert.That(after.InBox, Is.EqualTo(before.InBox), "bbox queries too");
        Assert.That(after.Pairs, Is.EqualTo(before.Pairs), "change detection pairs the same chips");
        Assert.That(after.Pairs.Count(p => p.Iou > 0.99), Is.EqualTo(300), "each chip of the second dates pairs with its first date");
        Assert.That(await ExplainTaskCountAsync(model, withBox: true), Is.EqualTo(1), "the bbox still prunes to one shard");
        Assert.That(await ShardsWithIndexAsync(model, "hnsw"), Is.EqualTo(await EmbeddingShardsAsync()), "every shard, moved or not, has the model's HNSW index");
    }

    [Test, Order(12)]
    public async Task An_ivfflat_index_is_built_on_every_shard_and_the_index_plan_answers_like_the_exact_one()
    {
        await _citus.StartAsync();
        await using var store = CatalogStore.Create(_citus.Coordinator.GetConnectionString(), new CatalogStoreOptions { IvfFlatMinRows = 1_000 });
        var catalog = _catalog ??= await Catalog.SyntheticCatalog.WriteAsync(store, "citus-prune", seed: 18);
        var model = await store.Models.SetVectorIndexAsync(catalog.Model.Name, VectorIndexKind.IvfFlat);
        try
        {
            Assert.That(await ShardsWithIndexAsync(model, "ivfflat"), Is.EqualTo(await EmbeddingShardsAsync()), "every shard has the model's IVFFlat index");
            var rng = new Random(12);
            for (var i = 0; i < 3; i++)
            {
                // Each shard's index has as many lists as the whole model (5), all of them probed: the index plan is exact here.
                var q = Catalog.SyntheticCatalog.RandomUnitVector(rng, model.Dimension);
                var exact = await store.Chips.SearchAsync(new RsGeoSearch.Core.SearchQuery(model.Name, q, Limit: 10), SearchPlan.Exact);
                var index = await store.Chips.SearchAsync(new RsGeoSearch.Core.SearchQuery(model.Name, q, Limit: 10), SearchPlan.Index);
                Assert.That(index.Plan, Is.EqualTo(SearchPlan.Index));
                Assert.That(index.Hits.Select(h => h.ChipId), Is.EqualTo(exact.Hits.Select(h => h.ChipId)));
            }
        }
        finally
        {
            await store.Models.SetVectorIndexAsync(catalog.Model.Name, VectorIndexKind.Hnsw);
        }
    }

    /// <summary>How many shards of embeddings have the model's partial index of that access method (hnsw, ivfflat).</summary>
    private async Task<int> ShardsWithIndexAsync(ModelInfo model, string method) => int.Parse((await QueryAsync(_citus.Coordinator, $"""
        SELECT count(*)::text FROM run_command_on_placements('rsgeo.embeddings',
            $$SELECT count(*) FROM pg_index i WHERE i.indrelid = '%s'::regclass AND position('USING {method}' in pg_get_indexdef(i.indexrelid)) > 0
              AND position('WHERE (model_id = {model.Id})' in pg_get_indexdef(i.indexrelid)) > 0$$)
        WHERE success AND result::int = 1
        """))[0]);

    private async Task<int> EmbeddingShardsAsync() =>
        int.Parse((await QueryAsync(_citus.Coordinator, "SELECT count(*)::text FROM citus_shards WHERE table_name = 'rsgeo.embeddings'::regclass"))[0]);

    private async Task<int> CountChipsAsync(long sceneId) =>
        int.Parse((await QueryAsync(_citus.Coordinator, $"SELECT count(*)::text FROM rsgeo.chips c JOIN rsgeo.embeddings e ON e.chip_id = c.id AND e.cell = c.cell WHERE c.scene_id = {sceneId}"))[0]);

    /// <summary>The Task Count of the plan of the store's filtered index-scan query shape, with the cells of the box as constants.</summary>
    private async Task<int> ExplainTaskCountAsync(ModelInfo model, bool withBox)
    {
        var cells = "";
        if (withBox)
        {
            var found = await QueryAsync(_citus.Coordinator, $"SELECT DISTINCT cell::text FROM rsgeo.scenes WHERE footprint && ST_MakeEnvelope(10.2, 40.2, 10.4, 40.4, 4326)");
            cells = $"AND c.cell = ANY('{{{string.Join(',', found)}}}'::int[])";
        }
        var q = "[" + string.Join(',', Enumerable.Repeat("0.125", model.Dimension)) + "]";
        var plan = await QueryAsync(_citus.Coordinator, $"""
            EXPLAIN SELECT e.chip_id, (e.embedding::vector({model.Dimension})) <=> '{q}'::vector({model.Dimension}) AS distance
            FROM rsgeo.embeddings e JOIN rsgeo.chips c ON c.id = e.chip_id AND c.cell = e.cell
            WHERE e.model_id = {model.Id} {cells} ORDER BY distance LIMIT 10
            """);
        var line = plan.First(l => l.Contains("Task Count:", StringComparison.Ordinal));
        return int.Parse(line[(line.IndexOf("Task Count:", StringComparison.Ordinal) + 11)..].Trim());
    }

    [Test]
    public void Fewer_workers_than_recorded_is_refused()
    {
        var other = Directory.CreateTempSubdirectory("rsgeo-citus-n-").FullName;
        File.WriteAllText(Path.Combine(other, "citus.json"), "{\"workers\": 3}");
        var e = Assert.Throws<RsGeoSearch.Core.InputException>(() => CitusCluster.Open(new EmbeddedClusterOptions { Directory = other }, 2));
        Assert.That(e!.Message, Does.Contain("has 3 workers"));
        Directory.Delete(other, true);
    }

    private async Task MigrateCoordinatorAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(_citus.Coordinator.GetConnectionString());
        await SchemaMigrator.MigrateAsync(dataSource);
    }

    private static async Task ExecuteAsync(EmbeddedCluster node, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(node.GetConnectionString());
        await using var cmd = dataSource.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<string[]> QueryAsync(EmbeddedCluster node, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(node.GetConnectionString());
        await using var cmd = dataSource.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<string>();
        while (await reader.ReadAsync()) list.Add(reader.GetString(0));
        return list.ToArray();
    }
}
