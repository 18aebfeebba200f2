using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store.Cluster;

/// <summary>
/// A local Citus cluster: the embedded cluster of the data directory is the coordinator, and N more embedded
/// clusters in <c>&lt;dir&gt;/workers/wK</c> are the workers. Every node loads Citus (shared_preload_libraries),
/// listens on its own unix socket only, and has the catalog database with the extensions citus, postgis and
/// vector (in that order); the coordinator registers the workers by their socket folders and then migrates,
/// which distributes the catalog (see <see cref="CitusTopology"/>). <c>citus.json</c> in the data directory
/// records the worker count, so that later starts, stops and status calls find every node.
/// </summary>
public sealed class CitusCluster
{
    /// <summary>The Citus release this project builds (setup.sh --citus) and tests with.</summary>
    public const string CitusVersion = "13.2.2";

    private readonly IProgress<string>? _progress;

    private CitusCluster(EmbeddedClusterOptions options, int workerCount, IProgress<string>? progress)
    {
        _progress = progress;
        Coordinator = new EmbeddedCluster(NodeOptions(options, options.Directory, options.TcpPort, workerCount), progress);
        Workers = Enumerable.Range(1, workerCount)
            .Select(i => new EmbeddedCluster(NodeOptions(options, WorkerDirectory(options.Directory, i), null, workerCount), progress))
            .ToArray();
    }

    /// <summary>The coordinator: the node clients connect to (the embedded cluster of the data directory).</summary>
    public EmbeddedCluster Coordinator { get; }

    /// <summary>The worker nodes, in registration order.</summary>
    public IReadOnlyList<EmbeddedCluster> Workers { get; }

    /// <summary>Every node: the coordinator first, then the workers.</summary>
    public IEnumerable<(string Name, EmbeddedCluster Node)> Nodes =>
        Workers.Select((w, i) => ($"worker {i + 1}", w)).Prepend(("coordinator", Coordinator));

    /// <summary>
    /// A Citus cluster over <paramref name="options"/>'s directory with <paramref name="workers"/> workers (a fresh
    /// one or a different worker count than recorded), or, when <paramref name="workers"/> is null, the one recorded
    /// in its citus.json (null when the directory holds a single-node cluster).
    /// </summary>
    public static CitusCluster? Open(EmbeddedClusterOptions options, int? workers = null, IProgress<string>? progress = null)
    {
        if (workers is { } n)
        {
            if (n is < 1 or > 32) throw new InputException($"--workers {n}: give 1 to 32 workers");
            var recorded = CitusSettings.TryLoad(SettingsPath(options.Directory));
            if (recorded is not null && recorded.Workers > n)
                throw new InputException($"the Citus cluster in {options.Directory} has {recorded.Workers} workers; removing workers is not supported (start it with --workers {recorded.Workers})");
            return new CitusCluster(options, n, progress);
        }
        return CitusSettings.TryLoad(SettingsPath(options.Directory)) is { } s ? new CitusCluster(options, s.Workers, progress) : null;
    }

    /// <summary>The library every node loads, in the PostgreSQL installation of <paramref name="binDirectory"/>.</summary>
    public static string LibraryPath(string binDirectory) => Path.GetFullPath(Path.Combine(binDirectory, "..", "lib", "citus.so"));

    /// <summary>
    /// Starts every node (creating them the first time), prepares each node's database (citus, postgis, vector),
    /// registers the workers with the coordinator and migrates the catalog, which distributes it. A worker that
    /// cannot start or lacks an extension fails with a <see cref="CitusNodeException"/> naming it; the nodes this
    /// call started are stopped again.
    /// </summary>
    public async Task<ClusterStartResult> StartAsync(CancellationToken ct = default)
    {
        CheckCitusInstalled();
        var startedHere = new List<EmbeddedCluster>();
        try
        {
            // Every node runs before the coordinator creates anything (it reaches registered workers then).
            ClusterStartResult coordinator = null!;
            foreach (var (name, node) in Nodes)
            {
                var wasRunning = (await node.GetStatusAsync(ct).ConfigureAwait(false)).State == ClusterState.Running;
                ClusterStartResult result;
                try
                {
                    result = await node.StartAsync(ct).ConfigureAwait(false);
                    if (!await LoadsCitusAsync(node, ct).ConfigureAwait(false))
                    {
                        // A running single-node server becomes the coordinator: Citus is loaded at server start only.
                        Report($"{name}: restarting the server to load Citus");
                        await node.StopAsync(ct).ConfigureAwait(false);
                        result = await node.StartAsync(ct).ConfigureAwait(false);
                    }
                }
                catch (StoreException e)
                {
                    throw new CitusNodeException(name, node.Options.Directory, $"did not start: {FirstLine(e.Message)}",
                        $"see {node.LogFile}; fix it or delete {node.Options.Directory} (a worker holds catalog shards) and run rsgeo db start again", e);
                }
                if (!wasRunning) startedHere.Add(node);
                if (node == Coordinator) coordinator = result;
            }
            foreach (var (name, node) in Nodes.Skip(1).Append(Nodes.First()))
                await CreateExtensionsAsync(name, node, ct).ConfigureAwait(false);
            var added = await RegisterWorkersAsync(ct).ConfigureAwait(false);
            new CitusSettings(Workers.Count).Save(SettingsPath(Coordinator.Options.Directory));

            await using var dataSource = NpgsqlDataSource.Create(Coordinator.GetConnectionString());
            var migration = await SchemaMigrator.MigrateAsync(dataSource, _progress, ct).ConfigureAwait(false);
            // Workers added to a distributed catalog hold no shards yet: move some to them (a fresh catalog was just
            // distributed over every worker, and moves nothing).
            if (added > 0) await RebalanceAsync(ct).ConfigureAwait(false);
            return coordinator with { MigrationsApplied = migration.Applied, SchemaVersion = migration.Version };
        }
        catch (Exception) when (startedHere.Count > 0)
        {
            foreach (var node in startedHere)
            {
                try { await node.StopAsync(CancellationToken.None).ConfigureAwait(false); }
                catch (StoreException) { /* the original error is the one to report */ }
            }
            throw;
        }
    }

    /// <summary>
    /// Moves shards (with their chips, embeddings and indexes) until every worker holds about as many: Citus's
    /// background rebalancer (<c>citus_rebalance_start</c>) copies each shard by logical replication (writes go on
    /// meanwhile; hence <c>wal_level = logical</c> on every node) and switches it over; this waits until it is done.
    /// Returns the number of shard moves (0 when the cluster is balanced already).
    /// </summary>
    public async Task<int> RebalanceAsync(CancellationToken ct = default)
    {
        await using var dataSource = NpgsqlDataSource.Create(Coordinator.GetConnectionString());
        await using var conn = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        // A new worker gets its copy of the reference tables (scenes, models) first; the plan moves only distributed shards.
        await using (var replicate = new NpgsqlCommand("SELECT replicate_reference_tables()", conn) { CommandTimeout = 0 })
            await replicate.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        int moves;
        await using (var plan = new NpgsqlCommand("SELECT count(*)::int FROM get_rebalance_table_shards_plan()", conn))
            moves = (int)(await plan.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        if (moves == 0) return 0;
        Report($"rebalancing: moving {moves} shard(s) so that every worker holds about as many");
        await using (var start = new NpgsqlCommand("SELECT citus_rebalance_start()", conn))
            await start.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        try
        {
            await using var wait = new NpgsqlCommand("SELECT citus_rebalance_wait()", conn) { CommandTimeout = 0 };
            await wait.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            throw new StoreException($"rebalancing the shards failed ({e.MessageText}); see SELECT * FROM citus_rebalance_status() on the coordinator and its log {Coordinator.LogFile}, then run rsgeo db start again", e);
        }
        return moves;
    }

    /// <summary>Stops every node (workers first). Returns how many were running.</summary>
    public async Task<int> StopAsync(CancellationToken ct = default)
    {
        var stopped = 0;
        foreach (var (_, node) in Nodes.Reverse())
            if (await node.StopAsync(ct).ConfigureAwait(false)) stopped++;
        return stopped;
    }

    /// <summary>Stops every node and deletes the coordinator's and the workers' directories.</summary>
    public async Task DeleteAsync(CancellationToken ct = default)
    {
        foreach (var (_, node) in Nodes.Reverse()) await node.DeleteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Each node's state, and from the coordinator (when it runs) the Citus version and each worker's shards and chips.</summary>
    public async Task<CitusStatus> GetStatusAsync(CancellationToken ct = default)
    {
        var coordinator = await Coordinator.GetStatusAsync(ct).ConfigureAwait(false);
        var placements = new Dictionary<string, (long Shards, long Chips)>(StringComparer.Ordinal);
        string? version = null;
        if (coordinator.State == ClusterState.Running)
        {
            try
            {
                await using var dataSource = NpgsqlDataSource.Create(Coordinator.GetConnectionString());
                await using var conn = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                version = await CitusTopology.TryGetVersionAsync(conn, ct).ConfigureAwait(false);
                if (version is not null)
                    foreach (var w in await CitusTopology.GetWorkerLoadAsync(conn, ct).ConfigureAwait(false))
                        placements[w.Host] = (w.Shards, w.Chips);
            }
            catch (NpgsqlException)
            {
                // the coordinator runs but cannot answer (a worker is down): shards and chips stay unknown
            }
        }
        var workers = new List<CitusNodeStatus>();
        foreach (var (name, node) in Nodes.Skip(1))
        {
            var s = await node.GetStatusAsync(ct).ConfigureAwait(false);
            var load = placements.TryGetValue(s.SocketDirectory, out var l) ? l : ((long, long)?)null;
            workers.Add(new CitusNodeStatus(name, s.SocketDirectory, s.Port, s.State, load?.Item1, load?.Item2));
        }
        return new CitusStatus(coordinator, version, workers);
    }

    // ---- start steps -------------------------------------------------------------------------

    private void CheckCitusInstalled()
    {
        var lib = LibraryPath(Coordinator.Options.BinDirectory);
        if (!File.Exists(lib))
            throw new CitusNodeException("coordinator", Coordinator.Options.Directory, $"Citus is not installed ({lib} is missing)",
                "run ./setup.sh --citus (builds Citus " + CitusVersion + " from ../shared/vendor/citus), or install Citus's own postgresql-15-citus package");
    }

    private static async Task<bool> LoadsCitusAsync(EmbeddedCluster node, CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(node.GetConnectionString("postgres"));
        await using var conn = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT current_setting('shared_preload_libraries')", conn);
        var libs = (string)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        return libs.Split(',').Any(l => l.Trim() == "citus");
    }

    /// <summary>citus first (it must be the first extension created), then postgis and vector, on a node's catalog database.</summary>
    private static async Task CreateExtensionsAsync(string name, EmbeddedCluster node, CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(node.GetConnectionString());
        await using var conn = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var present = new HashSet<string>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand("SELECT extname FROM pg_extension", conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) present.Add(reader.GetString(0));
        foreach (var ext in new[] { "citus", "postgis", "vector" }.Where(e => !present.Contains(e)))
        {
            try
            {
                await using var cmd = new NpgsqlCommand($"CREATE EXTENSION IF NOT EXISTS {ext} SCHEMA {(ext == "citus" ? "pg_catalog" : "public")}", conn);
                await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                throw new CitusNodeException(name, node.Options.Directory, $"cannot create the extension '{ext}' ({e.MessageText})",
                    CitusTopology.InstallHint(ext), e);
            }
        }
    }

    /// <summary>Registers the workers the coordinator does not know yet; returns how many were added to a cluster that had workers already.</summary>
    private async Task<int> RegisterWorkersAsync(CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(Coordinator.GetConnectionString());
        await using var conn = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var known = new HashSet<(string, int)>();
        await using (var cmd = new NpgsqlCommand("SELECT nodename, nodeport FROM pg_dist_node", conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) known.Add((reader.GetString(0), reader.GetInt32(1)));

        if (!known.Contains((Coordinator.SocketDirectory, Coordinator.Port)))
            await ExecuteAsync(conn, "SELECT citus_set_coordinator_host($1, $2)", Coordinator.SocketDirectory, Coordinator.Port, ct).ConfigureAwait(false);
        var hadWorkers = Workers.Any(w => known.Contains((w.SocketDirectory, w.Port)));
        var added = 0;
        foreach (var (name, worker) in Nodes.Skip(1))
        {
            if (known.Contains((worker.SocketDirectory, worker.Port))) continue;
            added++;
            Report($"registering {name} ({worker.SocketDirectory}:{worker.Port}) with the coordinator");
            try
            {
                await ExecuteAsync(conn, "SELECT citus_add_node($1, $2)", worker.SocketDirectory, worker.Port, ct).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                throw new CitusNodeException(name, worker.Options.Directory, $"the coordinator cannot register it ({e.MessageText})",
                    $"check that it runs (rsgeo db status) and see {worker.LogFile}", e);
            }
        }
        return hadWorkers ? added : 0;
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, string host, int port, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = host });
        cmd.Parameters.Add(new NpgsqlParameter { Value = port });
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static EmbeddedClusterOptions NodeOptions(EmbeddedClusterOptions options, string directory, int? tcpPort, int workerCount) => options with
    {
        Directory = directory,
        TcpPort = tcpPort,
        Migrate = false,
        ServerSettings =
        [
            "# Citus node (rsgeo db start --workers)",
            "shared_preload_libraries = 'citus'",
            "max_prepared_transactions = 100",
            "wal_level = logical",
            "citus.enable_statistics_collection = off",
            // Few shards for a handful of local workers on one machine (Citus's default is 32).
            $"citus.shard_count = {Math.Max(4, 4 * workerCount)}",
            // Keep a connection per shard of a worker between queries (Citus keeps 1: a search over 4 shards per worker
            // opened 3 connections per worker each time; 10^5 real chips: no-filter p50 115 → 32 ms, 4-client QPS 7 → 18).
            "citus.max_cached_conns_per_worker = 4",
            // Citus connects to this node itself (background rebalancer, local execution) through its socket.
            $"citus.local_hostname = '{EmbeddedSocket(directory).Replace("'", "''", StringComparison.Ordinal)}'",
        ],
    };

    /// <summary>The socket folder an embedded cluster in <paramref name="directory"/> uses (as <see cref="EmbeddedCluster.SocketDirectory"/>).</summary>
    private static string EmbeddedSocket(string directory) =>
        new EmbeddedCluster(new EmbeddedClusterOptions { Directory = directory }).SocketDirectory;

    private static string WorkerDirectory(string directory, int i) =>
        Path.Combine(directory, "workers", "w" + i.ToString(CultureInfo.InvariantCulture));

    private static string SettingsPath(string directory) => Path.Combine(directory, "citus.json");

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    private void Report(string message) => _progress?.Report(message);

    /// <summary>citus.json: how many workers the local Citus cluster has.</summary>
    private sealed record CitusSettings([property: JsonPropertyName("workers")] int Workers)
    {
        public static CitusSettings? TryLoad(string path)
        {
            if (!File.Exists(path)) return null;
            try { return JsonSerializer.Deserialize<CitusSettings>(File.ReadAllText(path)); }
            catch (JsonException e) { throw new StoreException($"{path} is not valid JSON ({e.Message}); fix or delete it", e); }
        }

        public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this));
    }
}

/// <summary>What <c>rsgeo db status</c> shows of a local Citus cluster.</summary>
public sealed record CitusStatus(ClusterStatus Coordinator, string? CitusVersion, IReadOnlyList<CitusNodeStatus> Workers);

/// <summary>A worker: where it listens, whether it runs, and (from the coordinator) its shard placements and chips.</summary>
public sealed record CitusNodeStatus(string Name, string Host, int Port, ClusterState State, long? Shards, long? Chips);
