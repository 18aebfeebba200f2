namespace RsGeoSearch.Store.Cluster;

/// <summary>What <see cref="EmbeddedCluster.StartAsync"/> did.</summary>
public sealed record ClusterStartResult(
    bool Initialized,
    bool AlreadyRunning,
    bool RecoveredStalePidFile,
    int MigrationsApplied,
    int SchemaVersion,
    string ConnectionString);
