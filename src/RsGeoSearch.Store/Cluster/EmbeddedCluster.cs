using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace RsGeoSearch.Store.Cluster;

/// <summary>
/// A private PostgreSQL cluster in a directory: <c>initdb</c> on first start, a server on a unix socket in
/// the cluster's own <c>run/</c> folder (and optionally 127.0.0.1), the catalog database with PostGIS and
/// pgvector, and the schema migrations. Start is idempotent and recovers a stale pid file left by a crash.
/// When this process is root the server runs as <see cref="EmbeddedClusterOptions.ServiceUser"/>.
/// </summary>
public sealed class EmbeddedCluster
{
    /// <summary>The superuser initdb creates; the embedded catalog is reached as this role.</summary>
    public const string SuperUser = "rsgeo";

    private const int DefaultPort = 5432;
    private const int MaxSocketPathBytes = 107;

    private readonly IProgress<string>? _progress;
    private readonly ToolRunner _tools;

    public EmbeddedCluster(EmbeddedClusterOptions options, IProgress<string>? progress = null)
    {
        Options = options;
        _progress = progress;
        var runAs = Environment.IsPrivilegedProcess ? options.ServiceUser : null;
        _tools = new ToolRunner(options.BinDirectory, runAs, "/");
    }

    public EmbeddedClusterOptions Options { get; }

    /// <summary>The PostgreSQL data directory (<c>&lt;dir&gt;/data</c>).</summary>
    public string DataDirectory => Path.Combine(Options.Directory, "data");

    /// <summary>The server log (<c>&lt;dir&gt;/server.log</c>).</summary>
    public string LogFile => Path.Combine(Options.Directory, "server.log");

    private string SettingsFile => Path.Combine(Options.Directory, "cluster.json");
    private string InitializedMarker => Path.Combine(Options.Directory, ".initialized");
    private string PidFile => Path.Combine(DataDirectory, "postmaster.pid");

    /// <summary>
    /// Where the unix socket lives: <c>&lt;dir&gt;/run</c>, or <c>/tmp/rsgeo-&lt;hash&gt;</c> when that path
    /// would exceed the 107-byte limit of a socket address.
    /// </summary>
    public string SocketDirectory => SocketDirectoryFor(Port);

    /// <summary>The port of the server (also the socket's name <c>.s.PGSQL.&lt;port&gt;</c>).</summary>
    public int Port => ClusterSettings.TryLoad(SettingsFile)?.Port ?? DefaultPort;

    /// <summary>A Npgsql connection string for the catalog database (or <paramref name="database"/>) over the unix socket.</summary>
    public string GetConnectionString(string? database = null) => new NpgsqlConnectionStringBuilder
    {
        Host = SocketDirectory,
        Port = Port,
        Username = SuperUser,
        Database = database ?? Options.DatabaseName,
        SearchPath = SchemaMigrator.Schema + ",public",
        ApplicationName = "rsgeo",
    }.ConnectionString;

    /// <summary>A postgresql:// URL for TCP clients on this machine, or null when TCP is off.</summary>
    public string? GetTcpUrl()
    {
        var s = ClusterSettings.TryLoad(SettingsFile);
        return s is { Tcp: true } ? $"postgresql://{SuperUser}:{Uri.EscapeDataString(s.Password)}@127.0.0.1:{s.Port}/{Options.DatabaseName}" : null;
    }

    /// <summary>
    /// Creates the cluster if needed, starts the server unless it runs already, creates the catalog
    /// database and extensions, and applies pending migrations. Safe to call concurrently and repeatedly.
    /// </summary>
    public async Task<ClusterStartResult> StartAsync(CancellationToken ct = default)
    {
        CheckBinaries();
        await PrepareDirectoryAsync(ct).ConfigureAwait(false);
        bool initialized, alreadyRunning, recovered = false;
        using (await ClusterLock.AcquireAsync(Options.Directory, Options.Timeout, ct).ConfigureAwait(false))
        {
            initialized = await InitializeIfNeededAsync(ct).ConfigureAwait(false);
            var settings = await ApplySettingsAsync(ct).ConfigureAwait(false);
            var (state, pid, stale) = InspectServer();
            alreadyRunning = state == ClusterState.Running;
            if (alreadyRunning)
            {
                Report($"the server is already running (pid {pid}) in {DataDirectory}");
            }
            else
            {
                if (stale is not null)
                {
                    RemoveStaleFiles(stale, settings.Port);
                    recovered = true;
                }
                await StartServerAsync(ct).ConfigureAwait(false);
            }
            await CreateDatabaseAsync(ct).ConfigureAwait(false);
        }
        if (!Options.Migrate)
            return new ClusterStartResult(initialized, alreadyRunning, recovered, 0, 0, GetConnectionString());
        await using var dataSource = NpgsqlDataSource.Create(GetConnectionString());
        var migration = await SchemaMigrator.MigrateAsync(dataSource, _progress, ct).ConfigureAwait(false);
        return new ClusterStartResult(initialized, alreadyRunning, recovered, migration.Applied, migration.Version, GetConnectionString());
    }

    /// <summary>Stops the server (fast shutdown: open sessions are rolled back). Returns false when it was not running.</summary>
    public async Task<bool> StopAsync(CancellationToken ct = default)
    {
        if (!Directory.Exists(Options.Directory)) return false;
        using var _ = await ClusterLock.AcquireAsync(Options.Directory, Options.Timeout, ct).ConfigureAwait(false);
        var (state, pid, stale) = InspectServer();
        if (state != ClusterState.Running)
        {
            if (stale is not null) RemoveStaleFiles(stale, Port);
            return false;
        }
        Report($"stopping the server (pid {pid})");
        var r = await _tools.RunToolAsync("pg_ctl", ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-s", "-t", Seconds(Options.Timeout)], Options.Timeout + TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        if (!r.Ok && InspectServer().State == ClusterState.Running)
            throw new StoreException($"pg_ctl stop failed: {r.Output}\n{LogTail()}");
        return true;
    }

    /// <summary>Reports whether the cluster exists and runs, where it listens, and the versions it serves.</summary>
    public async Task<ClusterStatus> GetStatusAsync(CancellationToken ct = default)
    {
        var settings = ClusterSettings.TryLoad(SettingsFile);
        var port = settings?.Port ?? DefaultPort;
        var (state, pid, _) = File.Exists(InitializedMarker) ? InspectServer() : (ClusterState.NotInitialized, (int?)null, (string?)null);
        string? server = null, postgis = null, vector = null;
        int? schema = null;
        if (state == ClusterState.Running)
        {
            try
            {
                await using var dataSource = NpgsqlDataSource.Create(GetConnectionString());
                var info = await DatabaseInfo.ReadAsync(dataSource, ct).ConfigureAwait(false);
                (server, postgis, vector, schema) = (info.ServerVersion, info.PostGisVersion, info.VectorVersion, info.SchemaVersion);
            }
            catch (NpgsqlException)
            {
                // running but the catalog database is not created yet: versions stay unknown
            }
        }
        return new ClusterStatus(state, Options.Directory, DataDirectory, SocketDirectoryFor(port), port, settings?.Tcp ?? false,
            state == ClusterState.Running ? pid : null, GetConnectionString(), server, postgis, vector, schema);
    }

    /// <summary>Stops the server and deletes the whole cluster directory (every scene, chip and embedding).</summary>
    public async Task DeleteAsync(CancellationToken ct = default)
    {
        await StopAsync(ct).ConfigureAwait(false);
        var socketDir = SocketDirectory;
        if (Directory.Exists(Options.Directory))
        {
            Report($"deleting {Options.Directory}");
            Directory.Delete(Options.Directory, recursive: true);
        }
        if (socketDir.StartsWith("/tmp/rsgeo-", StringComparison.Ordinal) && Directory.Exists(socketDir))
            Directory.Delete(socketDir, recursive: true);
    }

    /// <summary>Deletes the cluster and creates a fresh, empty, migrated one (same port and TCP choice).</summary>
    public async Task<ClusterStartResult> ResetAsync(CancellationToken ct = default)
    {
        var settings = ClusterSettings.TryLoad(SettingsFile);
        await DeleteAsync(ct).ConfigureAwait(false);
        var again = settings is { Tcp: true } && Options.TcpPort is null
            ? new EmbeddedCluster(Options with { TcpPort = settings.Port }, _progress)
            : this;
        return await again.StartAsync(ct).ConfigureAwait(false);
    }

    // ---- start steps -------------------------------------------------------------------------

    private void CheckBinaries()
    {
        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres" })
            if (!File.Exists(_tools.ToolPath(tool)))
                throw new StoreException($"PostgreSQL is not installed: {_tools.ToolPath(tool)} is missing; run ./setup.sh (installs postgresql-15 with PostGIS and pgvector) or point {EmbeddedClusterOptions.BinDirEnvironmentVariable} at a PostgreSQL bin folder, or use an external server with RSGEO_DATABASE_URL");
    }

    private async Task PrepareDirectoryAsync(CancellationToken ct)
    {
        var dir = Options.Directory;
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"cannot create the database directory {dir} ({e.Message}); choose another with --data-dir or {EmbeddedClusterOptions.DataDirEnvironmentVariable}", e);
        }
        if (_tools.RunAs is not { } user) return;

        var r = await _tools.RunAsSelfAsync("chown", [$"{user}:", dir], TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        if (!r.Ok)
            throw new StoreException($"running as root, the server runs as the OS user '{user}', but chown {user} {dir} failed: {r.Output}; create the user (useradd --system {user}) or run rsgeo as a normal user");
        var probe = await _tools.RunAsync("test", ["-w", dir, "-a", "-x", dir], TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        if (!probe.Ok)
            throw new StoreException($"running as root, the server runs as the OS user '{user}', which cannot reach {dir} (a parent folder is closed to it, e.g. /root is mode 0700); choose a directory such as /var/lib/rsgeo/pg with --data-dir or {EmbeddedClusterOptions.DataDirEnvironmentVariable}");
    }

    private async Task<bool> InitializeIfNeededAsync(CancellationToken ct)
    {
        if (File.Exists(InitializedMarker) && File.Exists(Path.Combine(DataDirectory, "PG_VERSION"))) return false;
        if (Directory.Exists(DataDirectory))
        {
            if (File.Exists(InitializedMarker))
                throw new StoreException($"{DataDirectory} has lost its PG_VERSION file, so it is not a usable PostgreSQL data directory; restore it or run `rsgeo db reset --yes` to start empty");
            Report($"removing the incomplete data directory {DataDirectory} left by an interrupted initdb");
            Directory.Delete(DataDirectory, recursive: true);
        }

        var settings = new ClusterSettings(ChoosePort(), Options.TcpPort is not null, RandomPassword());
        settings.Save(SettingsFile);
        Report($"creating a PostgreSQL cluster in {DataDirectory}");
        var pwFile = Path.Combine(Options.Directory, ".pwfile");
        await File.WriteAllTextAsync(pwFile, settings.Password + "\n", ct).ConfigureAwait(false);
        try
        {
            await GiveToServiceUserAsync(pwFile, ct).ConfigureAwait(false);
            var args = new List<string>
            {
                "-D", DataDirectory, "-U", SuperUser, "-E", "UTF8", "--no-locale",
                "--auth-local=trust", "--auth-host=scram-sha-256", $"--pwfile={pwFile}",
            };
            if (Options.NoSync) args.Add("--no-sync");
            var r = await _tools.RunToolAsync("initdb", args, TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
            if (!r.Ok) throw new StoreException($"initdb failed in {DataDirectory}:\n{r.Output}");
        }
        finally
        {
            File.Delete(pwFile);
        }
        var conf = Path.Combine(DataDirectory, "postgresql.conf");
        await File.AppendAllTextAsync(conf, "\n# rsgeo: settings of the embedded cluster (rewritten by rsgeo db start)\ninclude_if_exists = 'rsgeo.conf'\n", ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(InitializedMarker, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) + "\n", ct).ConfigureAwait(false);
        return true;
    }

    private async Task<ClusterSettings> ApplySettingsAsync(CancellationToken ct)
    {
        var settings = ClusterSettings.TryLoad(SettingsFile) ?? new ClusterSettings(ChoosePort(), Options.TcpPort is not null, RandomPassword());
        if (Options.TcpPort is { } wanted && (!settings.Tcp || (wanted != 0 && wanted != settings.Port)))
        {
            if (InspectServer().State == ClusterState.Running)
                Report($"the server is running on port {settings.Port}; stop it first to change the port to {wanted}");
            else
                settings = settings with { Port = wanted == 0 ? FreeLoopbackPort() : wanted, Tcp = true };
        }
        settings.Save(SettingsFile);

        var socketDir = SocketDirectoryFor(settings.Port);
        if (!Directory.Exists(socketDir) && !OperatingSystem.IsWindows())
            Directory.CreateDirectory(socketDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await GiveToServiceUserAsync(socketDir, ct).ConfigureAwait(false);

        var conf = Path.Combine(DataDirectory, "rsgeo.conf");
        var text = RenderConfig(settings, socketDir, Options.ServerSettings);
        if (!File.Exists(conf) || await File.ReadAllTextAsync(conf, ct).ConfigureAwait(false) != text)
        {
            await File.WriteAllTextAsync(conf, text, ct).ConfigureAwait(false);
            await GiveToServiceUserAsync(conf, ct).ConfigureAwait(false);
        }
        return settings;
    }

    private static string RenderConfig(ClusterSettings settings, string socketDir, IReadOnlyList<string> extra)
    {
        var memory = TotalMemoryBytes();
        const long mb = 1024 * 1024;
        var sharedBuffers = Math.Clamp(memory / 8 / mb, 128, 1024);
        var maintenance = Math.Clamp(memory / 8 / mb, 64, 2048);
        var cache = Math.Max(memory / 2 / mb, 256);
        var workers = Math.Max(Environment.ProcessorCount - 1, 1);
        // Parallel HNSW builds place the graph in dynamic shared memory; a small /dev/shm (containers) cannot hold it.
        var dsm = ShmFreeBytes() > maintenance * mb * 2 ? "posix" : "mmap";
        var sb = new StringBuilder();
        sb.AppendLine("# Written by `rsgeo db start`; changes here are overwritten. Put your own settings in postgresql.auto.conf (ALTER SYSTEM).");
        sb.AppendLine(CultureInfo.InvariantCulture, $"listen_addresses = '{(settings.Tcp ? "127.0.0.1" : "")}'");
        sb.AppendLine(CultureInfo.InvariantCulture, $"port = {settings.Port}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = '{socketDir.Replace("'", "''", StringComparison.Ordinal)}'");
        sb.AppendLine("unix_socket_permissions = 0700");
        sb.AppendLine("max_connections = 100");
        sb.AppendLine(CultureInfo.InvariantCulture, $"shared_buffers = {sharedBuffers}MB");
        sb.AppendLine(CultureInfo.InvariantCulture, $"effective_cache_size = {cache}MB");
        sb.AppendLine("work_mem = 32MB");
        sb.AppendLine(CultureInfo.InvariantCulture, $"maintenance_work_mem = {maintenance}MB");
        sb.AppendLine(CultureInfo.InvariantCulture, $"max_parallel_maintenance_workers = {workers}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"dynamic_shared_memory_type = {dsm}");
        sb.AppendLine("jit = off");
        sb.AppendLine("timezone = 'UTC'");
        sb.AppendLine("log_timezone = 'UTC'");
        sb.AppendLine("max_wal_size = 4GB");
        foreach (var line in extra) sb.AppendLine(line);
        return sb.ToString();
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        await WaitForOrphansAsync(ct).ConfigureAwait(false);
        Report($"starting the server on {SocketDirectory}");
        var r = await _tools.RunToolAsync("pg_ctl",
            ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-s", "-t", Seconds(Options.Timeout)],
            Options.Timeout + TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        if (!r.Ok)
            throw new StoreException($"the PostgreSQL server did not start (pg_ctl: {r.Output.Trim()}). Last lines of {LogFile}:\n{LogTail()}");
    }

    private async Task CreateDatabaseAsync(CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(GetConnectionString("postgres"));
        await using var conn = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using (var check = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", conn))
        {
            check.Parameters.Add(new NpgsqlParameter { Value = Options.DatabaseName });
            if (await check.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null) return;
        }
        Report($"creating the database '{Options.DatabaseName}'");
        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(Options.DatabaseName)}", conn);
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // created concurrently by another starter
        }
    }

    // ---- server state ------------------------------------------------------------------------

    /// <summary>Running (a live postmaster of this data directory), or stopped with an optional stale-pid reason.</summary>
    private (ClusterState State, int? Pid, string? Stale) InspectServer()
    {
        var pid = ServerProcesses.ReadPidFile(PidFile);
        if (pid is null) return (ClusterState.Stopped, null, null);
        if (ServerProcesses.IsPostmasterOf(pid.Value, DataDirectory)) return (ClusterState.Running, pid, null);
        var why = pid.Value <= 0 ? "an unreadable postmaster.pid"
            : !ServerProcesses.IsAlive(pid.Value) ? $"postmaster.pid names process {pid} which no longer exists (the server crashed or was killed)"
            : $"postmaster.pid names process {pid}, a running '{ServerProcesses.Command(pid.Value)}' that is not this cluster's server";
        return (ClusterState.Stopped, pid, why);
    }

    private void RemoveStaleFiles(string reason, int port)
    {
        Report($"recovering: {reason}; removing the stale pid file");
        File.Delete(PidFile);
        var socketDir = SocketDirectoryFor(port);
        var lockFile = Path.Combine(socketDir, $".s.PGSQL.{port}.lock");
        var lockPid = ServerProcesses.ReadPidFile(lockFile);
        if (lockPid is not null && !ServerProcesses.IsPostmasterOf(lockPid.Value, DataDirectory))
        {
            File.Delete(lockFile);
            File.Delete(Path.Combine(socketDir, $".s.PGSQL.{port}"));
        }
    }

    /// <summary>After a postmaster was killed its children exit on their own; wait for them so the shared memory is free.</summary>
    private async Task WaitForOrphansAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var reported = false;
        while (ServerProcesses.ProcessesIn(DataDirectory) is { Count: > 0 } left)
        {
            if (DateTime.UtcNow > deadline)
                throw new StoreException($"postgres processes {string.Join(", ", left)} of a killed server still run in {DataDirectory}; end them (kill {string.Join(' ', left)}) and start again");
            if (!reported) Report($"waiting for {left.Count} leftover postgres process(es) of the previous server to exit");
            reported = true;
            await Task.Delay(200, ct).ConfigureAwait(false);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private string SocketDirectoryFor(int port)
    {
        var inside = Path.Combine(Options.Directory, "run");
        var socket = Path.Combine(inside, $".s.PGSQL.{port}");
        if (Encoding.UTF8.GetByteCount(socket) <= MaxSocketPathBytes) return inside;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Options.Directory)))[..16];
        return $"/tmp/rsgeo-{hash}";
    }

    private int ChoosePort() => Options.TcpPort switch
    {
        null => DefaultPort,
        0 => FreeLoopbackPort(),
        var p => p.Value,
    };

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RandomPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private async Task GiveToServiceUserAsync(string path, CancellationToken ct)
    {
        if (_tools.RunAs is not { } user) return;
        var r = await _tools.RunAsSelfAsync("chown", [$"{user}:", path], TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        if (!r.Ok) throw new StoreException($"chown {user} {path} failed: {r.Output}");
    }

    private string LogTail(int lines = 20)
    {
        try
        {
            var all = File.ReadAllLines(LogFile);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"(cannot read {LogFile}: {e.Message})";
        }
    }

    private static long TotalMemoryBytes()
    {
        var info = GC.GetGCMemoryInfo();
        return info.TotalAvailableMemoryBytes > 0 ? info.TotalAvailableMemoryBytes : 4L << 30;
    }

    private static long ShmFreeBytes()
    {
        try { return new DriveInfo("/dev/shm").AvailableFreeSpace; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return 0; }
    }

    private static string Seconds(TimeSpan t) => ((int)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    internal static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private void Report(string message) => _progress?.Report(message);
}
