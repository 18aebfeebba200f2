using RsGeoSearch.Store;
using RsGeoSearch.Store.Cluster;

namespace RsGeoSearch.TestSupport;

/// <summary>A real embedded PostgreSQL (PostGIS + pgvector) in a fresh temporary directory; disposing deletes it.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(EmbeddedCluster cluster, CatalogStore store, string connectionString)
    {
        Cluster = cluster;
        Store = store;
        ConnectionString = connectionString;
    }

    public EmbeddedCluster Cluster { get; }
    public CatalogStore Store { get; }
    public string ConnectionString { get; }
    public string Directory => Cluster.Options.Directory;

    public static async Task<TestDatabase> StartAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("rsgeo-testdb-").FullName;
        var cluster = new EmbeddedCluster(new EmbeddedClusterOptions { Directory = directory, NoSync = true });
        var started = await cluster.StartAsync();
        return new TestDatabase(cluster, CatalogStore.Create(started.ConnectionString), started.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        try
        {
            await Cluster.DeleteAsync();
        }
        catch (Exception)
        {
            // a leftover temp directory must not fail a test run
        }
    }
}
