using RsGeoSearch.Store;
using RsGeoSearch.Store.Cluster;

namespace RsGeoSearch.TestSupport;

/// <summary>
/// A real embedded PostgreSQL (PostGIS + pgvector) in a fresh temporary directory; disposing deletes it. With
/// <c>RSGEO_TEST_TARGET=citus</c> it is a local Citus cluster instead (coordinator + 2 workers, the catalog
/// distributed), so the same tests run against both targets with the same expectations.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    /// <summary>The environment variable that selects the target: unset or "single", or "citus".</summary>
    public const string TargetEnvironmentVariable = "RSGEO_TEST_TARGET";

    /// <summary>Workers of the Citus target.</summary>
    public const int CitusWorkers = 2;

    private TestDatabase(EmbeddedCluster cluster, CitusCluster? citus, CatalogStore store, string connectionString)
    {
        Cluster = cluster;
        Citus = citus;
        Store = store;
        ConnectionString = connectionString;
    }

    /// <summary>True when the tests run against a local Citus cluster.</summary>
    public static bool IsCitus => Environment.GetEnvironmentVariable(TargetEnvironmentVariable) is { } t
        && t.Equals("citus", StringComparison.OrdinalIgnoreCase);

    /// <summary>The single node, or the Citus coordinator.</summary>
    public EmbeddedCluster Cluster { get; }

    /// <summary>The Citus cluster (coordinator + workers), or null on the single-node target.</summary>
    public CitusCluster? Citus { get; }

    public CatalogStore Store { get; }
    public string ConnectionString { get; }
    public string Directory => Cluster.Options.Directory;

    public static async Task<TestDatabase> StartAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("rsgeo-testdb-").FullName;
        var options = new EmbeddedClusterOptions { Directory = directory, NoSync = true };
        if (IsCitus)
        {
            var citus = CitusCluster.Open(options, CitusWorkers)!;
            var result = await citus.StartAsync();
            return new TestDatabase(citus.Coordinator, citus, CatalogStore.Create(result.ConnectionString), result.ConnectionString);
        }
        var cluster = new EmbeddedCluster(options);
        var started = await cluster.StartAsync();
        return new TestDatabase(cluster, null, CatalogStore.Create(started.ConnectionString), started.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        try
        {
            if (Citus is not null) await Citus.DeleteAsync();
            else await Cluster.DeleteAsync();
        }
        catch (Exception)
        {
            // a leftover temp directory must not fail a test run
        }
    }
}
