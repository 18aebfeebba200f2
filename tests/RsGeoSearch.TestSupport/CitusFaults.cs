using Npgsql;
using RsGeoSearch.Store.Cluster;

namespace RsGeoSearch.TestSupport;

/// <summary>Faults of a local Citus cluster for tests: a node's postgres killed as when its machine fails, and where the shards lie.</summary>
public static class CitusFaults
{
    /// <summary>SIGKILL to the node's postmaster and every backend of it (every process working in its data directory).</summary>
    public static void Kill(EmbeddedCluster node)
    {
        var data = Path.TrimEndingDirectorySeparator(Path.GetFullPath(node.DataDirectory));
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string? cwd;
            try { cwd = new DirectoryInfo($"{dir}/cwd").ResolveLinkTarget(false)?.FullName; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            if (cwd is not null && Path.TrimEndingDirectorySeparator(cwd) == data)
                try { System.Diagnostics.Process.GetProcessById(pid).Kill(); } catch (Exception e) when (e is ArgumentException or InvalidOperationException) { }
        }
    }

    /// <summary>The worker whose socket folder is <paramref name="host"/> (as pg_dist_node and citus_shards name it).</summary>
    public static EmbeddedCluster WorkerAt(CitusCluster citus, string host) =>
        citus.Workers.Single(w => w.SocketDirectory == host);

    /// <summary>The worker that holds the chips shard of <paramref name="cell"/> (a scene's spatial cell).</summary>
    public static async Task<EmbeddedCluster> WorkerOfCellAsync(CitusCluster citus, int cell)
    {
        var host = await ScalarAsync(citus, $"""
            SELECT nodename FROM citus_shards WHERE shardid = get_shard_id_for_distribution_column('rsgeo.chips', {cell})
            """);
        return WorkerAt(citus, host);
    }

    /// <summary>The workers that hold chips of any stored scene (their cells' shards), in worker order.</summary>
    public static async Task<IReadOnlyList<EmbeddedCluster>> WorkersWithChipsAsync(CitusCluster citus)
    {
        var hosts = (await ScalarAsync(citus, """
            SELECT coalesce(string_agg(DISTINCT nodename, E'\n'), '') FROM citus_shards
            WHERE shardid IN (SELECT get_shard_id_for_distribution_column('rsgeo.chips', cell) FROM rsgeo.scenes)
            """)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return citus.Workers.Where(w => hosts.Contains(w.SocketDirectory)).ToList();
    }

    private static async Task<string> ScalarAsync(CitusCluster citus, string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(citus.Coordinator.GetConnectionString());
        await using var cmd = dataSource.CreateCommand(sql);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
