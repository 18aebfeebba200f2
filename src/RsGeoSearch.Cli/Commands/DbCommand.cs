using System.CommandLine;
using Npgsql;
using RsGeoSearch.Core;
using RsGeoSearch.Store;
using RsGeoSearch.Store.Cluster;

namespace RsGeoSearch.Cli.Commands;

/// <summary>
/// <c>rsgeo db start|stop|status|reset|index</c>: the embedded PostgreSQL (or, with --database /
/// RSGEO_DATABASE_URL, an external server). <see cref="ConnectionOptions"/> is how every other command
/// finds the database.
/// </summary>
internal static class DbCommand
{
    /// <summary>Exit code of <c>db status</c> when the embedded server is not running (as pg_ctl status).</summary>
    public const int NotRunningExitCode = 3;

    public static Command Create()
    {
        var db = new Command("db", "Manage the catalog database: the embedded PostgreSQL (PostGIS + pgvector) or an external server");
        db.Subcommands.Add(Start());
        db.Subcommands.Add(Stop());
        db.Subcommands.Add(Status());
        db.Subcommands.Add(Reset());
        db.Subcommands.Add(Index());
        return db;
    }

    /// <summary>
    /// The --database and --data-dir options. Add them to a command, then <see cref="OpenStoreAsync"/> in
    /// its action: it starts the embedded database when needed, migrates, and returns a store.
    /// </summary>
    public sealed class ConnectionOptions
    {
        public Option<string?> Database { get; } = new("--database")
        {
            Description = $"External PostgreSQL: postgresql://user:password@host:5432/db or a Npgsql connection string (default: ${DatabaseTarget.UrlEnvironmentVariable}, else the embedded database)",
        };

        public Option<string?> DataDir { get; } = new("--data-dir")
        {
            Description = $"Directory of the embedded database (default: ${EmbeddedClusterOptions.DataDirEnvironmentVariable}, else {EmbeddedClusterOptions.DefaultDirectory()})",
        };

        public void AddTo(Command command)
        {
            command.Options.Add(Database);
            command.Options.Add(DataDir);
        }

        /// <summary>The database the options name; a malformed address or a conflicting choice is an input error (exit 2).</summary>
        public DatabaseTarget Resolve(ParseResult parseResult, int? tcpPort = null, int? workers = null)
        {
            try
            {
                return DatabaseTarget.Resolve(parseResult.GetValue(Database), parseResult.GetValue(DataDir), tcpPort, Progress, workers);
            }
            catch (StoreException e) when (e is not CitusNodeException)
            {
                throw new InputException(e.Message, e);
            }
        }

        /// <summary>Starts the embedded database if it is stopped (or checks the external one), migrates, and opens the store.</summary>
        public Task<CatalogStore> OpenStoreAsync(ParseResult parseResult, CancellationToken ct) =>
            Resolve(parseResult).OpenStoreAsync(startEmbedded: true, Progress, ct);
    }

    private static readonly IProgress<string> Progress = new SyncProgress<string>(m => Console.Error.WriteLine($"rsgeo db: {m}"));

    private static Command Start()
    {
        var command = new Command("start", "Create (first time) and start the embedded database, create the extensions and apply migrations; a no-op when it runs");
        var options = new ConnectionOptions();
        options.AddTo(command);
        var port = new Option<int?>("--port") { Description = "Also listen on 127.0.0.1 at this port (0: any free port); default: unix socket only" };
        command.Options.Add(port);
        var workers = new Option<int?>("--workers")
        {
            Description = "Make the embedded database a local Citus cluster: a coordinator and this many workers (needs ./setup.sh --citus); remembered for later starts; more workers than before adds them and rebalances the shards onto them",
        };
        command.Options.Add(workers);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("db start", async () =>
        {
            var target = options.Resolve(parseResult, parseResult.GetValue(port), parseResult.GetValue(workers));
            if (target.Citus is { } citus)
            {
                var started = await citus.StartAsync(ct);
                Console.WriteLine($"local Citus cluster {(started.AlreadyRunning ? "running" : "started")}: coordinator and {citus.Workers.Count} worker(s) in {citus.Coordinator.Options.Directory}");
                Console.WriteLine($"  schema version {started.SchemaVersion}{(started.MigrationsApplied > 0 ? $" ({started.MigrationsApplied} migration(s) applied)" : "")}");
                PrintConnection(citus.Coordinator);
                return 0;
            }
            if (target.Cluster is not { } cluster)
            {
                await target.EnsureReadyAsync(startEmbedded: false, Progress, ct);
                Console.WriteLine($"external database {target.Describe()} is ready (schema version {SchemaMigrator.LatestVersion})");
                return 0;
            }
            var result = await cluster.StartAsync(ct);
            var what = result.AlreadyRunning ? "was already running" : result.Initialized ? "created and started" : "started";
            Console.WriteLine($"embedded database {what}: {cluster.Options.Directory}");
            if (result.RecoveredStalePidFile) Console.WriteLine("  recovered from a stale pid file left by a crashed server");
            Console.WriteLine($"  schema version {result.SchemaVersion}{(result.MigrationsApplied > 0 ? $" ({result.MigrationsApplied} migration(s) applied)" : "")}");
            PrintConnection(cluster);
            return 0;
        }));
        return command;
    }

    private static Command Stop()
    {
        var command = new Command("stop", "Stop the embedded database (fast shutdown)");
        var options = new ConnectionOptions();
        options.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("db stop", async () =>
        {
            var target = options.Resolve(parseResult);
            if (target.Citus is { } citus)
            {
                var count = await citus.StopAsync(ct);
                Console.WriteLine($"local Citus cluster stopped ({count} of {citus.Workers.Count + 1} node(s) were running): {citus.Coordinator.Options.Directory}");
                return 0;
            }
            if (target.Cluster is not { } cluster)
            {
                throw new InputException($"{target.Describe()} is an external server; rsgeo only stops the embedded database it started");
            }
            var stopped = await cluster.StopAsync(ct);
            Console.WriteLine(stopped ? $"embedded database stopped: {cluster.Options.Directory}" : $"embedded database was not running: {cluster.Options.Directory}");
            return 0;
        }));
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", $"Show whether the database runs, where, its versions and catalog size (exit code {NotRunningExitCode} when stopped)");
        var options = new ConnectionOptions();
        options.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("db status", async () =>
        {
            var target = options.Resolve(parseResult);
            if (target.Cluster is not { } cluster)
            {
                await using var dataSource = NpgsqlDataSource.Create(target.ConnectionString);
                DatabaseInfo info;
                try
                {
                    info = await DatabaseInfo.ReadAsync(dataSource, ct);
                }
                catch (NpgsqlException e) when (e is not PostgresException)
                {
                    Console.WriteLine($"external database {target.Describe()}: unreachable ({e.Message})");
                    return NotRunningExitCode;
                }
                Console.WriteLine($"external database {target.Describe()}: reachable");
                PrintVersions(info.ServerVersion, info.PostGisVersion, info.VectorVersion, info.SchemaVersion);
                if (info.SchemaVersion is not null) await PrintCatalogAsync(target.ConnectionString, ct);
                return 0;
            }
            if (target.Citus is { } citus) return await PrintCitusStatusAsync(citus, ct);
            var status = await cluster.GetStatusAsync(ct);
            switch (status.State)
            {
                case ClusterState.NotInitialized:
                    Console.WriteLine($"embedded database: not created yet in {status.Directory}");
                    Console.WriteLine("  create and start it with: rsgeo db start");
                    return NotRunningExitCode;
                case ClusterState.Stopped:
                    Console.WriteLine($"embedded database: stopped ({status.Directory})");
                    Console.WriteLine("  start it with: rsgeo db start");
                    return NotRunningExitCode;
            }
            Console.WriteLine($"embedded database: running (pid {status.Pid})");
            Console.WriteLine($"  directory:  {status.Directory}");
            PrintVersions(status.ServerVersion ?? "?", status.PostGisVersion, status.VectorVersion, status.SchemaVersion);
            PrintConnection(cluster);
            if (status.SchemaVersion is not null) await PrintCatalogAsync(status.ConnectionString, ct);
            return 0;
        }));
        return command;
    }

    private static Command Reset()
    {
        var command = new Command("reset", "Delete every scene, chip, embedding and model, leaving an empty migrated catalog (needs --yes)");
        var options = new ConnectionOptions();
        options.AddTo(command);
        var yes = new Option<bool>("--yes") { Description = "Confirm that all catalog data is to be deleted" };
        command.Options.Add(yes);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("db reset", async () =>
        {
            var target = options.Resolve(parseResult);
            if (!parseResult.GetValue(yes))
            {
                Console.Error.WriteLine($"rsgeo db: reset deletes every scene, chip and embedding in {target.Describe()}; run `rsgeo db reset --yes` to confirm");
                return 2;
            }
            if (target.Citus is { } citus)
            {
                await citus.DeleteAsync(ct);
                var fresh = await CitusCluster.Open(citus.Coordinator.Options, citus.Workers.Count, Progress)!.StartAsync(ct);
                Console.WriteLine($"local Citus cluster reset: new empty nodes in {citus.Coordinator.Options.Directory} (schema version {fresh.SchemaVersion})");
                return 0;
            }
            if (target.Cluster is { } cluster)
            {
                var result = await cluster.ResetAsync(ct);
                Console.WriteLine($"embedded database reset: a new empty cluster in {cluster.Options.Directory} (schema version {result.SchemaVersion})");
                return 0;
            }
            await using (var dataSource = NpgsqlDataSource.Create(target.ConnectionString))
                await SchemaMigrator.DropAsync(dataSource, ct);
            await target.EnsureReadyAsync(startEmbedded: false, Progress, ct);
            Console.WriteLine($"external database {target.Describe()} reset: schema '{SchemaMigrator.Schema}' dropped and migrated again");
            return 0;
        }));
        return command;
    }

    private static Command Index()
    {
        var command = new Command("index", "Choose a model's vector index (hnsw or ivfflat) and build it; the choice is kept in the catalog for every later ingest and search");
        var options = new ConnectionOptions();
        options.AddTo(command);
        var model = new Option<string>("--model") { Description = "The model (as the catalog names it, see `rsgeo db status`)", Required = true };
        var kind = new Option<string>("--kind")
        {
            Description = "hnsw: a graph, fed by every insert (default); ivfflat: lists trained on the stored embeddings, built from 10,000 of them and rebuilt as they grow fourfold; better recall on large catalogs of look-alike places (docs/SCALING.md)",
            Required = true,
        };
        kind.AcceptOnlyFromAmong(VectorIndexKinds.Names);
        command.Options.Add(model);
        command.Options.Add(kind);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("db index", async () =>
        {
            await using var store = await options.OpenStoreAsync(parseResult, ct);
            var wanted = VectorIndexKinds.Parse(parseResult.GetValue(kind))!.Value; // AcceptOnlyFromAmong let only a known name through
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var info = await store.Models.SetVectorIndexAsync(parseResult.GetValue(model)!, wanted, ct);
            var built = await store.Models.HasVectorIndexAsync(info, ct);
            var rows = await store.Models.CountEmbeddingsAsync(info, ct);
            Console.WriteLine(built
                ? $"model '{info.Name}': {info.VectorIndex.Name()} index {info.IndexName} over {rows:N0} embeddings, ready in {clock.Elapsed.TotalSeconds:F0} s (a running `rsgeo serve` uses it once restarted)"
                : $"model '{info.Name}': {info.VectorIndex.Name()} chosen; with {rows:N0} embeddings (fewer than {store.Options.IvfFlatMinRows:N0}) searches scan exactly, and the index is built by the ingest that reaches that many");
            return 0;
        }));
        return command;
    }

    private static async Task<int> PrintCitusStatusAsync(CitusCluster citus, CancellationToken ct)
    {
        var status = await citus.GetStatusAsync(ct);
        var c = status.Coordinator;
        Console.WriteLine($"local Citus cluster: {citus.Coordinator.Options.Directory}");
        Console.WriteLine($"  citus:       {status.CitusVersion ?? "(unknown: the coordinator is not running)"}");
        Console.WriteLine($"  coordinator: {c.SocketDirectory}:{c.Port} {Describe(c.State)}{(c.Pid is { } pid ? $" (pid {pid})" : "")}");
        foreach (var w in status.Workers)
            Console.WriteLine($"  {w.Name + ":",-12} {w.Host}:{w.Port} {Describe(w.State)}; shards {w.Shards?.ToString() ?? "?"}, chips {w.Chips?.ToString() ?? "?"}");
        if (c.State != ClusterState.Running)
        {
            Console.WriteLine("  start it with: rsgeo db start");
            return NotRunningExitCode;
        }
        PrintVersions(c.ServerVersion ?? "?", c.PostGisVersion, c.VectorVersion, c.SchemaVersion);
        PrintConnection(citus.Coordinator);
        if (c.SchemaVersion is not null && status.Workers.All(w => w.State == ClusterState.Running))
            await PrintCatalogAsync(c.ConnectionString, ct);
        return status.Workers.All(w => w.State == ClusterState.Running) ? 0 : NotRunningExitCode;
    }

    private static string Describe(ClusterState state) => state switch
    {
        ClusterState.Running => "up",
        ClusterState.Stopped => "down",
        _ => "not created",
    };

    private static void PrintVersions(string server, string? postgis, string? vector, int? schema)
    {
        Console.WriteLine($"  postgresql: {server}; postgis {postgis ?? "(not installed)"}; vector {vector ?? "(not installed)"}");
        Console.WriteLine($"  schema:     {(schema is { } v ? $"version {v} of {SchemaMigrator.LatestVersion}" : "not migrated (run rsgeo db start)")}");
    }

    private static void PrintConnection(EmbeddedCluster cluster)
    {
        Console.WriteLine($"  socket:     {cluster.SocketDirectory} (port {cluster.Port})");
        Console.WriteLine($"  psql:       psql -h {cluster.SocketDirectory} -p {cluster.Port} -U {EmbeddedCluster.SuperUser} {cluster.Options.DatabaseName}");
        if (cluster.GetTcpUrl() is { } url)
            Console.WriteLine($"  tcp:        {url}");
    }

    private static async Task PrintCatalogAsync(string connectionString, CancellationToken ct)
    {
        await using var store = CatalogStore.Create(connectionString);
        var models = await store.Models.ListAsync(ct);
        var extent = await store.Scenes.GetExtentAsync(null, ct);
        Console.WriteLine($"  catalog:    {models.Count} model(s){(models.Count > 0 ? " (" + string.Join(", ", models.Select(m => $"{m.Name} {m.Dimension}-d")) + ")" : "")}, {extent.SceneCount} scene(s), {extent.ChipCount} chip(s)");
        if (extent.Spatial is { } box) Console.WriteLine($"  extent:     {box}; {extent.Start:yyyy-MM-dd} .. {extent.End:yyyy-MM-dd} ({extent.Dates.Count} acquisition day(s))");
    }
}
