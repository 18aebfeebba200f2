namespace RsGeoSearch.Store.Cluster;

/// <summary>
/// Where and how the embedded PostgreSQL cluster lives. <see cref="Directory"/> holds <c>data/</c> (the
/// PostgreSQL data directory), <c>run/</c> (the unix socket), <c>server.log</c> and <c>cluster.json</c>.
/// </summary>
public sealed record EmbeddedClusterOptions
{
    /// <summary>Environment variable that selects the cluster directory.</summary>
    public const string DataDirEnvironmentVariable = "RSGEO_DATA_DIR";

    /// <summary>Environment variable that selects the PostgreSQL binaries folder (pg_ctl, initdb, postgres).</summary>
    public const string BinDirEnvironmentVariable = "RSGEO_PG_BIN";

    /// <summary>The cluster directory (absolute).</summary>
    public required string Directory { get; init; }

    /// <summary>Folder with initdb, pg_ctl and postgres.</summary>
    public string BinDirectory { get; init; } = DefaultBinDirectory();

    /// <summary>
    /// Also listen on 127.0.0.1 at this port (0: pick a free one when the cluster is created); null: unix
    /// socket only. Remembered in cluster.json once set.
    /// </summary>
    public int? TcpPort { get; init; }

    /// <summary>The database the catalog lives in.</summary>
    public string DatabaseName { get; init; } = "rsgeo";

    /// <summary>The OS user that runs the server when this process is root (PostgreSQL refuses root).</summary>
    public string ServiceUser { get; init; } = "postgres";

    /// <summary>initdb without fsync (fast; for tests and throw-away clusters).</summary>
    public bool NoSync { get; init; }

    /// <summary>
    /// Extra postgresql.conf lines written into the cluster's rsgeo.conf (e.g. <c>shared_preload_libraries = 'citus'</c>
    /// for a node of a <see cref="CitusCluster"/>).
    /// </summary>
    public IReadOnlyList<string> ServerSettings { get; init; } = [];

    /// <summary>
    /// Whether start creates PostGIS and pgvector and applies the schema migrations (the catalog node); false for
    /// a node whose database is prepared by someone else (a Citus worker or the coordinator, see <see cref="CitusCluster"/>).
    /// </summary>
    public bool Migrate { get; init; } = true;

    /// <summary>How long to wait for the server to start or stop.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Options from an explicit directory (the --data-dir option) or else <c>$RSGEO_DATA_DIR</c>, else the
    /// default location (see <see cref="DefaultDirectory"/>).
    /// </summary>
    public static EmbeddedClusterOptions Resolve(string? dataDir = null, int? tcpPort = null)
    {
        var dir = !string.IsNullOrWhiteSpace(dataDir) ? dataDir
            : Environment.GetEnvironmentVariable(DataDirEnvironmentVariable) is { Length: > 0 } env ? env
            : DefaultDirectory();
        return new EmbeddedClusterOptions { Directory = Path.GetFullPath(ExpandHome(dir)), TcpPort = tcpPort };
    }

    /// <summary>
    /// <c>$XDG_DATA_HOME/rsgeo/pg</c> or <c>~/.local/share/rsgeo/pg</c>; for root <c>/var/lib/rsgeo/pg</c>,
    /// a place the server's OS user can reach (root's home is closed to it).
    /// </summary>
    public static string DefaultDirectory()
    {
        if (Environment.IsPrivilegedProcess) return "/var/lib/rsgeo/pg";
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "rsgeo", "pg");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "rsgeo", "pg");
    }

    /// <summary><c>$RSGEO_PG_BIN</c>, else the newest /usr/lib/postgresql/N/bin with pg_ctl (15 preferred).</summary>
    public static string DefaultBinDirectory()
    {
        var env = Environment.GetEnvironmentVariable(BinDirEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return env;
        const string preferred = "/usr/lib/postgresql/15/bin";
        if (File.Exists(Path.Combine(preferred, "pg_ctl")) || !System.IO.Directory.Exists("/usr/lib/postgresql")) return preferred;
        var found = System.IO.Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(x => File.Exists(Path.Combine(x.Dir, "pg_ctl")))
            .OrderByDescending(x => x.Version)
            .FirstOrDefault();
        return found.Dir ?? preferred;
    }

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}
