namespace RsGeoSearch.Store.Cluster;

/// <summary>
/// What <c>rsgeo db status</c> reports. Versions are null when the server is not running or the
/// catalog database does not exist yet.
/// </summary>
public sealed record ClusterStatus(
    ClusterState State,
    string Directory,
    string DataDirectory,
    string SocketDirectory,
    int Port,
    bool TcpEnabled,
    int? Pid,
    string ConnectionString,
    string? ServerVersion,
    string? PostGisVersion,
    string? VectorVersion,
    int? SchemaVersion);
