using Npgsql;
using RsGeoSearch.Store.Cluster;

namespace RsGeoSearch.Store;

/// <summary>
/// Which database the program talks to: an external server (the <c>--database</c> option, else
/// <c>RSGEO_DATABASE_URL</c>) or the embedded cluster (the <c>--data-dir</c> option, else
/// <c>RSGEO_DATA_DIR</c>, else the default directory). Every command resolves it the same way.
/// </summary>
public sealed class DatabaseTarget
{
    /// <summary>Environment variable with the address of an external server.</summary>
    public const string UrlEnvironmentVariable = "RSGEO_DATABASE_URL";

    private readonly string? _external;

    private DatabaseTarget(string? external, EmbeddedCluster? cluster, CitusCluster? citus = null)
    {
        _external = external;
        Cluster = cluster;
        Citus = citus;
    }

    /// <summary>The embedded cluster (the coordinator of a local Citus cluster), or null for an external server.</summary>
    public EmbeddedCluster? Cluster { get; }

    /// <summary>The local Citus cluster (<c>rsgeo db start --workers N</c>) whose coordinator <see cref="Cluster"/> is, or null.</summary>
    public CitusCluster? Citus { get; }

    public bool IsEmbedded => Cluster is not null;

    /// <param name="workers">Make the embedded database a local Citus cluster with this many workers (null: as recorded in its directory).</param>
    public static DatabaseTarget Resolve(string? database = null, string? dataDir = null, int? tcpPort = null, IProgress<string>? progress = null, int? workers = null)
    {
        var url = !string.IsNullOrWhiteSpace(database) ? database : Environment.GetEnvironmentVariable(UrlEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(url))
        {
            if (!string.IsNullOrWhiteSpace(dataDir))
                throw new StoreException("--data-dir selects the embedded database and --database/RSGEO_DATABASE_URL an external one; give only one");
            if (workers is not null)
                throw new StoreException("--workers creates a local Citus cluster; an external server (--database/RSGEO_DATABASE_URL) manages its own workers");
            return new DatabaseTarget(PostgresUrl.ToConnectionString(url), null);
        }
        var options = EmbeddedClusterOptions.Resolve(dataDir, tcpPort);
        return CitusCluster.Open(options, workers, progress) is { } citus
            ? new DatabaseTarget(null, citus.Coordinator, citus)
            : new DatabaseTarget(null, new EmbeddedCluster(options, progress));
    }

    /// <summary>For messages: the cluster directory or the external address without its password.</summary>
    public string Describe() => Citus is not null ? $"the local Citus cluster in {Cluster!.Options.Directory}"
        : Cluster is not null ? $"the embedded database in {Cluster.Options.Directory}" : PostgresUrl.Redact(_external!);

    /// <summary>The connection string (external, or the embedded cluster's socket) without checking anything.</summary>
    public string ConnectionString => _external ?? Cluster!.GetConnectionString();

    /// <summary>
    /// Makes the database usable and returns its connection string: for the embedded cluster, starts it
    /// when <paramref name="startEmbedded"/> (else fails with what to run when it is stopped); then applies
    /// pending migrations (both kinds).
    /// </summary>
    public async Task<string> EnsureReadyAsync(bool startEmbedded = true, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        if (Cluster is not null)
        {
            if (startEmbedded && Citus is not null) return (await Citus.StartAsync(ct).ConfigureAwait(false)).ConnectionString;
            if (startEmbedded) return (await Cluster.StartAsync(ct).ConfigureAwait(false)).ConnectionString;
            var status = await Cluster.GetStatusAsync(ct).ConfigureAwait(false);
            if (status.State != ClusterState.Running)
                throw new StoreException($"{Describe()} is not running: run `rsgeo db start` (or set {UrlEnvironmentVariable} to use another PostgreSQL server)");
        }
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        try
        {
            await SchemaMigrator.MigrateAsync(dataSource, progress, ct).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            throw new StoreException($"cannot reach {Describe()}: {e.Message}; check the address and that the server runs", e);
        }
        return ConnectionString;
    }

    /// <summary><see cref="EnsureReadyAsync"/>, then a store over the database.</summary>
    public async Task<CatalogStore> OpenStoreAsync(bool startEmbedded = true, IProgress<string>? progress = null, CancellationToken ct = default) =>
        CatalogStore.Create(await EnsureReadyAsync(startEmbedded, progress, ct).ConfigureAwait(false));
}
