using System.Net.Sockets;
using Npgsql;
using RsGeoSearch.Core;
using RsGeoSearch.Store.Cluster;

namespace RsGeoSearch.Store;

/// <summary>
/// The catalogue in PostgreSQL (PostGIS + pgvector), split by job: <see cref="Models"/> (embedding spaces and their
/// HNSW indexes), <see cref="Ingest"/> (the writer: scenes, binary COPY of chips and embeddings), <see cref="Chips"/>
/// (ranked search, listing, look-ups), <see cref="Scenes"/> and <see cref="Changes"/> (pairs of chips for change
/// detection). This class owns the connections: every job opens them through <see cref="RunAsync{T}"/>, which turns
/// a database that is down or unreachable into <see cref="ServiceUnavailableException"/> — so callers need no Npgsql.
/// SQL is built by pure functions (<see cref="ChipSql"/>, <see cref="FilterSql"/>). Thread-safe; owns its data source.
/// </summary>
public sealed class CatalogStore : IAsyncDisposable
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private CatalogStore(NpgsqlDataSource dataSource, CatalogStoreOptions options)
    {
        DataSource = dataSource;
        Options = options;
        Models = new ModelStore(this);
        Ingest = new IngestWriter(this);
        Chips = new ChipQueries(this);
        Scenes = new SceneQueries(this);
        Changes = new ChangeQueries(this);
    }

    /// <summary>
    /// A store over a migrated database (see <see cref="DatabaseTarget.OpenStoreAsync"/> or <see cref="SchemaMigrator"/>).
    /// Build it after the migrations: Npgsql loads the vector and geometry types once per data source, so a data source
    /// made before <c>CREATE EXTENSION vector</c> cannot read or write vectors on any of its connections.
    /// </summary>
    public static CatalogStore Create(string connectionString, CatalogStoreOptions? options = null) =>
        new(CreateDataSource(connectionString), options ?? new CatalogStoreOptions());

    /// <summary>The one data source configuration: pgvector's Vector/HalfVector and NetTopologySuite geometries.</summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var b = new NpgsqlDataSourceBuilder(connectionString);
        if (string.IsNullOrEmpty(b.ConnectionStringBuilder.SearchPath)) b.ConnectionStringBuilder.SearchPath = SchemaMigrator.Schema + ",public";
        b.UseVector();
        b.UseNetTopologySuite();
        return b.Build();
    }

    public NpgsqlDataSource DataSource { get; }

    public CatalogStoreOptions Options { get; }

    /// <summary>Embedding spaces (models), their HNSW indexes and bulk-load preparation.</summary>
    public ModelStore Models { get; }

    /// <summary>The ingest writer: scenes, chips and embeddings (binary COPY, exactly once).</summary>
    public IngestWriter Ingest { get; }

    /// <summary>Ranked search, listing, counting and look-ups of chips.</summary>
    public ChipQueries Chips { get; }

    /// <summary>Scenes, the catalogue's extent and acquisition dates.</summary>
    public SceneQueries Scenes { get; }

    /// <summary>Candidate pairs of chips for change detection.</summary>
    public ChangeQueries Changes { get; }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    /// <summary>
    /// Whether the database answers a trivial query and, on Citus, which workers do not answer theirs (the
    /// coordinator alone answering is not enough: every search that needs a lost worker's shards fails).
    /// </summary>
    public async Task<CatalogHealth> CheckHealthAsync(CancellationToken ct = default)
    {
        try
        {
            await using var conn = await DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using (var cmd = new NpgsqlCommand("SELECT 1", conn))
                if (await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is not 1) return new CatalogHealth(false);
            if (await CitusTopology.TryGetExtensionVersionAsync(conn, ct).ConfigureAwait(false) is null) return new CatalogHealth(true);
            var workers = await CitusTopology.ProbeWorkersAsync(conn, "SELECT 1", ct).ConfigureAwait(false);
            return new CatalogHealth(true, workers.Count,
                workers.Select((w, i) => (w, i)).Where(x => !x.w.Success).Select(x => CitusTopology.PublicName(x.w.Host, x.w.Port, x.i, workers.Count)).ToList());
        }
        catch (NpgsqlException)
        {
            return new CatalogHealth(false);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on one pooled connection. A database that refuses connections, is unreachable,
    /// shuts down or loses a Citus worker becomes <see cref="ServiceUnavailableException"/>; other errors pass.
    /// </summary>
    internal async Task<T> RunAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct)
    {
        NpgsqlConnection conn;
        try
        {
            conn = await DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections
                                              or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown)
        {
            throw new ServiceUnavailableException($"the catalog database refuses connections ({e.MessageText}); retry shortly", RetryAfter, e);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            throw new ServiceUnavailableException($"the catalog database is unreachable ({e.Message}); is it running? (rsgeo db status)", RetryAfter, e);
        }
        try
        {
            return await work(conn).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e) || e is PostgresException { SqlState: PostgresErrorCodes.InternalError or ['5', '8', ..] })
        {
            // Citus reports a worker lost mid-statement under several codes and texts (XX000, 58030 "failed to COPY
            // to shard"...): a system error the texts do not name is that worker's loss while a worker does not answer.
            if (!IsUnavailable(e) && (await CheckHealthAsync(ct).ConfigureAwait(false)).UnreachableWorkers.Count == 0) throw;
            throw new ServiceUnavailableException("the database is not reachable; try again shortly", RetryAfter, e);
        }
        finally
        {
            await conn.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal Task RunAsync(Func<NpgsqlConnection, Task> work, CancellationToken ct) =>
        RunAsync(async conn =>
        {
            await work(conn).ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>Whether an error means the database is (for now) unavailable rather than the request wrong.</summary>
    internal static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("57P", StringComparison.Ordinal) || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                                || pg.SqlState == PostgresErrorCodes.TooManyConnections || CitusTopology.IsWorkerConnectionFailure(pg),
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException } => true,
        NpgsqlException n => n.IsTransient,
        SocketException => true,
        StoreException { InnerException: { } inner } => IsUnavailable(inner),
        _ => false,
    };
}
