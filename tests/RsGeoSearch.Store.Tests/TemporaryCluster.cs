using RsGeoSearch.Store.Cluster;

namespace RsGeoSearch.Store.Tests;

/// <summary>A real embedded PostgreSQL cluster in a fresh temporary directory; disposing stops it and deletes the directory.</summary>
public sealed class TemporaryCluster : IAsyncDisposable
{
    private TemporaryCluster(EmbeddedCluster cluster) => Cluster = cluster;

    public EmbeddedCluster Cluster { get; }

    public string Directory => Cluster.Options.Directory;

    /// <summary>A cluster object for a new temporary directory (nothing created on disk but the directory).</summary>
    public static TemporaryCluster Create(string? directory = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("rsgeo-test-").FullName;
        var options = new EmbeddedClusterOptions { Directory = directory, NoSync = true };
        return new TemporaryCluster(new EmbeddedCluster(options, new Progress<string>(m => TestContext.Progress.WriteLine($"[cluster] {m}"))));
    }

    /// <summary>Creates, starts and migrates a cluster in a new temporary directory.</summary>
    public static async Task<TemporaryCluster> StartAsync()
    {
        var t = Create();
        await t.Cluster.StartAsync();
        return t;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.DeleteAsync();
        }
        catch (Exception e)
        {
            TestContext.Progress.WriteLine($"[cluster] could not clean up {Directory}: {e.Message}");
        }
    }
}
