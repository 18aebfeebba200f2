using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.Pipeline.Search;
using RsGeoSearch.Store;
using RsGeoSearch.Store.Cluster;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Api.Tests;

/// <summary>
/// A worker of a local Citus cluster (coordinator + 2 workers) killed with SIGKILL, as when its machine fails: during
/// an ingest (the run fails instead of hanging, nothing is half-written, and after the worker restarts a re-run stores
/// every chip exactly once) and during queries through the API (each answer is either the full correct result or 503
/// problem+json with Retry-After and a clear message; the service recovers by itself once the worker is back).
/// The fixture runs its own cluster (it kills nodes, which the shared catalogue of the other tests must not see), so it
/// does not depend on RSGEO_TEST_TARGET; test.sh runs it in the main pass and leaves it out of the Citus pass.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CitusFaultTests
{
    private const int ChipSize = 64;
    private string _directory = null!;
    private CitusCluster _citus = null!;
    private CatalogStore _store = null!;
    private ModelCache _models = null!;
    private IReadOnlyList<string> _files = null!;
    private long _expected;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = Directory.CreateTempSubdirectory("rsgeo-citus-faults-").FullName;
        _citus = CitusCluster.Open(new EmbeddedClusterOptions { Directory = _directory, NoSync = true }, 2)!;
        var started = await _citus.StartAsync();
        _store = CatalogStore.Create(started.ConnectionString);
        _models = new ModelCache(new ModelRegistry([]), TestModels.TinyClip);
        _files = RasterFiles.Expand([SharedData.Path("rasters", "naip-north-dakota")]);
        _expected = ExpectedChips.Count(_files, _models.Get(null), ChipSize);
    }

    [OneTimeTearDown]
    public async Task DeleteAsync()
    {
        await _store.DisposeAsync();
        _models.Dispose();
        try { await _citus.DeleteAsync(); }
        catch (Exception e) { TestContext.Progress.WriteLine($"[citus] could not clean up {_directory}: {e.Message}"); }
    }

    private IngestPipeline Pipeline() => new(_store, _models.Get(null), new IngestOptions { ChipSize = ChipSize, BatchSize = 8 });

    [Test, Order(1)]
    public async Task A_worker_killed_during_an_ingest_fails_the_run_leaves_whole_batches_and_a_rerun_stores_every_chip_once()
    {
        var run = Pipeline().RunAsync(_files);
        // Kill the worker that holds the series' cell as soon as chips arrive (the NAIP series lies in one cell).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await CountAsync()).Chips < 16 && !run.IsCompleted && clock.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(50);
        Assert.That(run.IsCompleted, Is.False, "the ingest is still running when the worker is killed");
        var workers = await CitusFaults.WorkersWithChipsAsync(_citus);
        Assert.That(workers, Has.Count.EqualTo(1), "the series' scenes share one cell, so one worker holds all their chips");
        CitusFaults.Kill(workers[0]);

        // The run ends with the database error (a stage that failed used to leave the others waiting forever).
        var ended = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(3)));
        Assert.That(ended, Is.SameAs(run), "the ingest ends when its worker is lost");
        var e = Assert.CatchAsync(() => run)!;
        Assert.That(IsLostWorker(e), Is.True, $"the run fails with the lost connection: {e}");

        await _citus.StartAsync(); // restarts the killed worker
        var partial = await CountAsync();
        Assert.That(partial.Chips, Is.GreaterThan(0).And.LessThan(_expected));
        Assert.That(partial.Embeddings, Is.EqualTo(partial.Chips), "a chip and its embedding are written in one transaction");
        Assert.That(partial.Counted, Is.EqualTo(partial.Embeddings), "each scene's chip count matches its stored embeddings");

        var report = await Pipeline().RunAsync(_files);
        Assert.That(report.Failures, Is.Empty);
        var final = await CountAsync();
        Assert.That(final.Chips, Is.EqualTo(_expected));
        Assert.That(final.Distinct, Is.EqualTo(_expected), "no chip twice");
        Assert.That(final.Embeddings, Is.EqualTo(_expected));
        Assert.That(final.Counted, Is.EqualTo(_expected));
        Assert.That(final.CompleteScenes, Is.EqualTo(_files.Count));
        Assert.That(report.ChipsWritten, Is.EqualTo(_expected - partial.Embeddings), "the re-run wrote only what was missing");
    }

    [Test, Order(2)]
    public async Task A_worker_killed_during_queries_gives_503_problems_never_partial_results_and_the_api_recovers()
    {
        if ((await CountAsync()).Chips < _expected) await Pipeline().RunAsync(_files);
        await using var catalog = new SearchService(_store, _models);
        await using var host = await ApiHost.StartAsync(catalog, new ApiOptions(), captureLogs: true);
        const string url = "/search?q=farmland&limit=10";
        var expected = await IdsAsync(host, url);
        Assert.That(expected, Has.Count.EqualTo(10));
        var health = JsonDocument.Parse(await host.Client.GetStringAsync("/health")).RootElement.GetProperty("database");
        Assert.That((health.GetProperty("distributed").GetBoolean(), health.GetProperty("workers").GetInt32()), Is.EqualTo((true, 2)));

        // Four clients query while the worker holding the chips is killed; every answer is checked.
        var answers = new ConcurrentBag<(int Status, string Body, string? RetryAfter, string? Type)>();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await host.Client.GetAsync(url);
                answers.Add(((int)response.StatusCode, await response.Content.ReadAsStringAsync(),
                    response.Headers.RetryAfter?.ToString(), response.Content.Headers.ContentType?.MediaType));
            }
        })).ToArray();
        while (answers.Count(a => a.Status == 200) < 4) await Task.Delay(20);
        var worker = (await CitusFaults.WorkersWithChipsAsync(_citus))[0];
        CitusFaults.Kill(worker);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (answers.Count(a => a.Status == 503) < 8 && clock.Elapsed < TimeSpan.FromMinutes(2)) await Task.Delay(20);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        // A 500 means an error the store did not recognise as a lost worker: name the server's logged error.
        Assert.That(answers.Select(a => a.Status).Distinct().Order(), Is.EqualTo(new[] { 200, 503 }),
            "only full answers and 503s; server errors: " + string.Join("\n", host.Logs!.AtLeast(Microsoft.Extensions.Logging.LogLevel.Error).Take(2)));
        foreach (var a in answers.Where(a => a.Status == 200))
            Assert.That(Ids(a.Body), Is.EqualTo(expected), "a 200 is the whole, correct answer");
        foreach (var a in answers.Where(a => a.Status == 503))
        {
            Assert.That(a.Type, Is.EqualTo("application/problem+json"), a.Body);
            Assert.That(a.RetryAfter, Is.Not.Null.And.Not.Empty, a.Body);
            var detail = JsonDocument.Parse(a.Body).RootElement.GetProperty("detail").GetString();
            Assert.That(detail, Does.Contain("not reachable").And.Contain("try again"), a.Body);
            Assert.That(a.Body, Does.Not.Contain(_directory).And.Not.Contain("Exception"), "no server paths or exception names");
        }

        // /health does not say ok while a worker is down (the coordinator alone answering is not health).
        using (var down = await host.Client.GetAsync("/health"))
        {
            var body = await down.Content.ReadAsStringAsync();
            Assert.That((int)down.StatusCode, Is.EqualTo(503), body);
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(),
                Does.Contain("1 of its 2 Citus workers do not (worker ").And.Contain("searches that need their shards fail"), body);
            Assert.That(body, Does.Not.Contain(_directory), "the local workers' socket folders are server paths");
        }

        await _citus.StartAsync(); // the worker comes back
        Assert.That(await IdsAsync(host, url), Is.EqualTo(expected), "the API recovers by itself with the same answer");
        using (var up = await host.Client.GetAsync("/health")) Assert.That((int)up.StatusCode, Is.EqualTo(200));
    }

    private static bool IsLostWorker(Exception e) => e switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal)
                               || CitusTopology.IsWorkerConnectionFailure(p),
        NpgsqlException => true,
        ServiceUnavailableException => true,
        _ => false,
    };

    private static async Task<IReadOnlyList<long>> IdsAsync(ApiHost host, string url)
    {
        using var response = await host.Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return Ids(body);
    }

    private static IReadOnlyList<long> Ids(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetInt64()).ToList();

    private async Task<(long Chips, long Embeddings, long Distinct, long Counted, long CompleteScenes)> CountAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(_citus.Coordinator.GetConnectionString());
        await using var cmd = dataSource.CreateCommand("""
            SELECT (SELECT count(*) FROM rsgeo.chips), (SELECT count(*) FROM rsgeo.embeddings),
                   (SELECT count(DISTINCT (scene_id, level, col, "row")) FROM rsgeo.chips),
                   (SELECT coalesce(sum(chip_count), 0)::bigint FROM rsgeo.scene_models),
                   (SELECT count(*) FROM rsgeo.scene_models WHERE completed_at IS NOT NULL)
            """);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }
}
