using Npgsql;
using RsGeoSearch.Store.Cluster;

namespace RsGeoSearch.Reliability.Tests;

/// <summary>
/// `rsgeo db start` on a local Citus cluster (coordinator + 2 workers) whose nodes are unusable: a worker with another
/// Citus version, a worker without pgvector, a worker that cannot start. Each time: exit code 2, one line naming the
/// node and the fix, and nothing changed (the registration and the catalog stay as they were; a failed start leaves
/// no node running that it started). The fixture runs its own cluster, independent of RSGEO_TEST_TARGET.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CitusBadInputTests
{
    private string _directory = null!;
    private CitusCluster _citus = null!;

    [OneTimeSetUp]
    public void Create()
    {
        _directory = Directory.CreateTempSubdirectory("rsgeo-citus-cli-").FullName;
        _citus = CitusCluster.Open(new EmbeddedClusterOptions { Directory = _directory }, 2)!;
    }

    [OneTimeTearDown]
    public async Task DeleteAsync()
    {
        try { await _citus.DeleteAsync(); }
        catch (Exception e) { TestContext.Progress.WriteLine($"[citus] could not clean up {_directory}: {e.Message}"); }
    }

    private (int ExitCode, string Stdout, string Stderr) Db(params string[] args) => Rsgeo.Run(["db", .. args, "--data-dir", _directory]);

    [Test]
    public async Task Unusable_nodes_at_db_start_give_exit_2_and_one_line_naming_the_node_and_nothing_changes()
    {
        var created = Db("start", "--workers", "2");
        Assert.That(created.ExitCode, Is.Zero, created.Stderr);
        var before = await SnapshotAsync();

        // A worker whose Citus is another release.
        var w1 = _citus.Workers[0];
        await ExecuteAsync(w1, "UPDATE pg_extension SET extversion = '13.1-1' WHERE extname = 'citus'");
        var version = Db("start");
        await ExecuteAsync(w1, "UPDATE pg_extension SET extversion = '13.2-1' WHERE extname = 'citus'");
        AssertOneLineError(version, $"worker {w1.SocketDirectory}:{w1.Port}: runs Citus 13.1-1 but the coordinator runs 13.2-1", "install the same Citus release");
        Assert.That(await SnapshotAsync(), Is.EqualTo(before), "nothing changed");

        // A worker without pgvector (renamed: dropping it would drop the shards' vector columns).
        var w2 = _citus.Workers[1];
        await ExecuteAsync(w2, "UPDATE pg_extension SET extname = 'vector_gone' WHERE extname = 'vector'");
        var vector = Db("start");
        await ExecuteAsync(w2, "UPDATE pg_extension SET extname = 'vector' WHERE extname = 'vector_gone'");
        // The local start prepares every node itself, so it meets the missing extension on the worker before the
        // coordinator's check of its workers would (that message is CitusClusterTests' case).
        AssertOneLineError(vector, $"worker 2 ({w2.Options.Directory}): cannot create the extension 'vector'", "install pgvector");
        Assert.That(await SnapshotAsync(), Is.EqualTo(before), "nothing changed");

        // A worker that cannot start (its data directory is damaged): the start stops the nodes it started.
        Assert.That(Db("stop").ExitCode, Is.Zero);
        var pgVersion = Path.Combine(w2.DataDirectory, "PG_VERSION");
        File.Move(pgVersion, pgVersion + ".saved");
        try
        {
            var down = Db("start");
            AssertOneLineError(down, $"worker 2 ({w2.Options.Directory}): did not start", "rsgeo db start again");
            var status = await _citus.GetStatusAsync();
            Assert.That(status.Workers.Select(w => w.State).Append(status.Coordinator.State), Is.All.EqualTo(ClusterState.Stopped),
                "no node is left running by the failed start");
        }
        finally
        {
            File.Move(pgVersion + ".saved", pgVersion);
        }

        var again = Db("start");
        Assert.That(again.ExitCode, Is.Zero, again.Stderr);
        Assert.That(await SnapshotAsync(), Is.EqualTo(before), "the repaired cluster is the one from before");
        var shown = Db("status");
        Assert.That(shown.ExitCode, Is.Zero, shown.Stderr);
        Assert.That(shown.Stdout, Does.Contain($"citus:       {CitusCluster.CitusVersion}"));
    }

    private static void AssertOneLineError((int ExitCode, string Stdout, string Stderr) result, string start, string fix)
    {
        Assert.That(result.ExitCode, Is.EqualTo(2), result.Stderr);
        // Progress lines ("rsgeo db: starting ...") go to stderr too; the error is one line of its own.
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("rsgeo db", StringComparison.Ordinal) && l.Contains(": error:", StringComparison.Ordinal)).ToArray();
        Assert.That(lines, Has.Length.EqualTo(1), $"one error line: {result.Stderr}");
        Assert.That(lines[0], Does.Contain(start).And.Contain(fix));
    }

    /// <summary>The registered nodes, the schema version and the catalog's distribution, as one comparable text.</summary>
    private async Task<string> SnapshotAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(_citus.Coordinator.GetConnectionString());
        await using var cmd = dataSource.CreateCommand("""
            SELECT (SELECT string_agg(nodename || ':' || nodeport || ':' || isactive, ',' ORDER BY nodeid) FROM pg_dist_node)
                || ' | ' || (SELECT max(version) FROM rsgeo.schema_migrations)
                || ' | ' || (SELECT string_agg(logicalrelid::text || ':' || partmethod::text, ',' ORDER BY logicalrelid::text) FROM pg_dist_partition)
                || ' | ' || (SELECT count(*) FROM pg_dist_shard)
            """);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(EmbeddedCluster node, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(node.GetConnectionString());
        await using var cmd = dataSource.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }
}
