using System.Diagnostics;
using Npgsql;
using RsGeoSearch.Store.Cluster;

namespace RsGeoSearch.Store.Tests.Cluster;

/// <summary>Start, stop, restart, crash recovery of a real embedded cluster (one per fixture run).</summary>
[TestFixture]
public sealed class ClusterLifecycleTests
{
    private TemporaryCluster _temp = null!;
    private EmbeddedCluster Cluster => _temp.Cluster;

    [OneTimeSetUp]
    public void CreateCluster() => _temp = TemporaryCluster.Create();

    [OneTimeTearDown]
    public async Task DeleteCluster() => await _temp.DisposeAsync();

    [Test, Order(1)]
    public async Task Status_before_the_first_start_says_not_created()
    {
        var status = await Cluster.GetStatusAsync();
        Assert.That(status.State, Is.EqualTo(ClusterState.NotInitialized));
        Assert.That(status.Pid, Is.Null);
    }

    [Test, Order(2)]
    public async Task First_start_creates_the_cluster_database_extensions_and_schema()
    {
        var result = await Cluster.StartAsync();
        Assert.Multiple(() =>
        {
            Assert.That(result.Initialized, Is.True);
            Assert.That(result.AlreadyRunning, Is.False);
            Assert.That(result.MigrationsApplied, Is.EqualTo(SchemaMigrator.All.Count));
            Assert.That(result.SchemaVersion, Is.EqualTo(SchemaMigrator.LatestVersion));
        });
        var status = await Cluster.GetStatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That(status.State, Is.EqualTo(ClusterState.Running));
            Assert.That(status.Pid, Is.GreaterThan(0));
            Assert.That(SchemaMigrator.ParseVersion(status.PostGisVersion!), Is.GreaterThanOrEqualTo(new Version(3, 3)));
            Assert.That(SchemaMigrator.ParseVersion(status.VectorVersion!), Is.GreaterThanOrEqualTo(new Version(0, 8)));
            Assert.That(status.ServerVersion, Does.StartWith("15"));
            Assert.That(status.SchemaVersion, Is.EqualTo(SchemaMigrator.LatestVersion));
            Assert.That(File.Exists(Path.Combine(status.SocketDirectory, $".s.PGSQL.{status.Port}")), Is.True, "unix socket in the cluster's own folder");
        });
    }

    [Test, Order(3)]
    public async Task Second_start_is_a_no_op()
    {
        await Cluster.StartAsync();
        var pid = (await Cluster.GetStatusAsync()).Pid;
        var again = await Cluster.StartAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(again.AlreadyRunning, Is.True);
            Assert.That(again.Initialized, Is.False);
            Assert.That(again.MigrationsApplied, Is.Zero);
            Assert.That((await Cluster.GetStatusAsync()).Pid, Is.EqualTo(pid), "the same server keeps running");
        });
    }

    [Test, Order(4)]
    public async Task Stop_then_status_says_stopped_and_a_restart_keeps_the_data()
    {
        await Cluster.StartAsync();
        await ExecuteAsync("CREATE TABLE IF NOT EXISTS public.keep_me (v text); TRUNCATE public.keep_me; INSERT INTO public.keep_me VALUES ('still here')");

        Assert.That(await Cluster.StopAsync(), Is.True);
        var stopped = await Cluster.GetStatusAsync();
        Assert.That(stopped.State, Is.EqualTo(ClusterState.Stopped));
        Assert.That(stopped.Pid, Is.Null);
        Assert.That(await Cluster.StopAsync(), Is.False, "stopping a stopped cluster reports it was not running");
        Assert.ThrowsAsync<NpgsqlException>(() => ExecuteAsync("SELECT 1"));

        var restart = await Cluster.StartAsync();
        Assert.That(restart.AlreadyRunning, Is.False);
        Assert.That(restart.Initialized, Is.False);
        Assert.That(await ScalarAsync("SELECT v FROM public.keep_me"), Is.EqualTo("still here"));
    }

    [Test, Order(5)]
    public async Task A_killed_postmaster_leaves_a_stale_pid_file_that_start_recovers()
    {
        await Cluster.StartAsync();
        await ExecuteAsync("CREATE TABLE IF NOT EXISTS public.crash_me (v int); INSERT INTO public.crash_me VALUES (42)");
        var pid = (await Cluster.GetStatusAsync()).Pid!.Value;
        Process.GetProcessById(pid).Kill(); // SIGKILL: no shutdown, postmaster.pid stays
        await WaitUntilAsync(() => !ProcessIsLive(pid));
        Assert.That(File.Exists(Path.Combine(Cluster.DataDirectory, "postmaster.pid")), Is.True, "the crash left postmaster.pid");
        Assert.That((await Cluster.GetStatusAsync()).State, Is.EqualTo(ClusterState.Stopped));

        var result = await Cluster.StartAsync();
        Assert.That(result.RecoveredStalePidFile, Is.True);
        Assert.That(result.AlreadyRunning, Is.False);
        Assert.That(await ScalarAsync("SELECT count(*)::int FROM public.crash_me WHERE v = 42"), Is.EqualTo(1), "committed data survives the crash");
    }

    [Test, Order(6)]
    public async Task A_pid_file_naming_a_live_unrelated_process_is_recovered()
    {
        await Cluster.StartAsync();
        await Cluster.StopAsync();
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            var pidFile = Path.Combine(Cluster.DataDirectory, "postmaster.pid");
            await File.WriteAllTextAsync(pidFile, $"{sleeper.Id}\n{Cluster.DataDirectory}\n0\n5432\n\n\n\nready\n");
            Assert.That((await Cluster.GetStatusAsync()).State, Is.EqualTo(ClusterState.Stopped), "a live 'sleep' is not our server");

            var result = await Cluster.StartAsync();
            Assert.That(result.RecoveredStalePidFile, Is.True);
            Assert.That((await Cluster.GetStatusAsync()).State, Is.EqualTo(ClusterState.Running));
            Assert.That(sleeper.HasExited, Is.False, "the unrelated process is left alone");
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Test, Order(7)]
    public async Task Concurrent_starts_of_a_stopped_cluster_all_succeed()
    {
        await Cluster.StartAsync();
        await Cluster.StopAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => Cluster.StartAsync())));
        Assert.That(results.Count(r => !r.AlreadyRunning), Is.EqualTo(1), "exactly one of them started the server");
        Assert.That((await Cluster.GetStatusAsync()).State, Is.EqualTo(ClusterState.Running));
    }

    [Test, Order(8)]
    public async Task Migrations_are_idempotent()
    {
        await Cluster.StartAsync();
        await using var dataSource = NpgsqlDataSource.Create(Cluster.GetConnectionString());
        var first = await SchemaMigrator.MigrateAsync(dataSource);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SchemaMigrator.MigrateAsync(dataSource)));
        Assert.Multiple(async () =>
        {
            Assert.That(first.Applied, Is.Zero);
            Assert.That(concurrent.Select(r => r.Applied), Is.All.Zero);
            Assert.That(first.Version, Is.EqualTo(SchemaMigrator.LatestVersion));
            Assert.That(await ScalarAsync("SELECT count(*)::int FROM rsgeo.schema_migrations"), Is.EqualTo(SchemaMigrator.All.Count));
            Assert.That(await ScalarAsync("SELECT count(*)::int FROM pg_extension WHERE extname IN ('postgis', 'vector')"), Is.EqualTo(2));
        });
    }

    [Test, Order(9)]
    public async Task A_directory_too_long_for_a_socket_path_still_works()
    {
        var root = Directory.CreateTempSubdirectory("rsgeo-test-").FullName;
        var deep = Path.Combine(root, new string('d', 60), new string('e', 60));
        Directory.CreateDirectory(deep);
        if (Environment.IsPrivilegedProcess)
            foreach (var dir in new[] { root, Path.GetDirectoryName(deep)! })
                File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        await using var temp = TemporaryCluster.Create(deep);
        try
        {
            var result = await temp.Cluster.StartAsync();
            Assert.That(temp.Cluster.SocketDirectory, Does.StartWith("/tmp/rsgeo-"));
            Assert.That(result.SchemaVersion, Is.EqualTo(SchemaMigrator.LatestVersion));
        }
        finally
        {
            await temp.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(Unpooled);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(Unpooled);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }

    private string Unpooled => new NpgsqlConnectionStringBuilder(Cluster.GetConnectionString()) { Pooling = false }.ConnectionString;

    private static bool ProcessIsLive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++) await Task.Delay(100);
        Assert.That(condition(), Is.True, "condition not reached within 30 s");
    }
}
