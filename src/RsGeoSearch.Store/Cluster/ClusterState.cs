namespace RsGeoSearch.Store.Cluster;

/// <summary>Whether the embedded cluster exists and runs.</summary>
public enum ClusterState
{
    /// <summary>No cluster in the directory yet (<c>rsgeo db start</c> creates one).</summary>
    NotInitialized = 0,
    /// <summary>Created but no server is running.</summary>
    Stopped = 1,
    /// <summary>A server serves the data directory.</summary>
    Running = 2,
}
