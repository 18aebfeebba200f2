namespace RsGeoSearch.Store.Cluster;

/// <summary>
/// An exclusive advisory lock on the cluster directory (a locked file), so that concurrent
/// <c>rsgeo db start/stop</c> calls on one machine run one after another.
/// </summary>
internal sealed class ClusterLock : IDisposable
{
    private readonly FileStream _stream;

    private ClusterLock(FileStream stream) => _stream = stream;

    public static async Task<ClusterLock> AcquireAsync(string directory, TimeSpan timeout, CancellationToken ct)
    {
        var path = Path.Combine(directory, ".rsgeo.lock");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new ClusterLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new StoreException($"another rsgeo process holds {path} for longer than {timeout.TotalSeconds:0} s; wait for it or stop it", e);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
