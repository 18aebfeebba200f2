using System.Globalization;
using System.Reflection;
using Npgsql;
using RsGeoSearch.Store.Cluster;

namespace RsGeoSearch.Store;

/// <summary>
/// Creates the extensions (postgis, vector) and applies the versioned migrations embedded in this
/// assembly (<c>Migrations/NNNN_name.sql</c>) to schema <see cref="Schema"/>, recording each in
/// <c>rsgeo.schema_migrations</c>. A session advisory lock serialises concurrent migrators; each
/// migration runs in its own transaction, so a crash leaves the schema at a whole version.
/// </summary>
public static class SchemaMigrator
{
    /// <summary>The schema holding the catalog tables.</summary>
    public const string Schema = "rsgeo";

    /// <summary>Oldest pgvector with iterative index scans (hnsw.iterative_scan).</summary>
    public static readonly Version MinVectorVersion = new(0, 8, 0);

    /// <summary>Oldest PostGIS the schema is tested with.</summary>
    public static readonly Version MinPostGisVersion = new(3, 0, 0);

    private const long AdvisoryLockKey = 0x7273_6765_6f6d_6967; // "rsgeomig"

    /// <summary>Every migration, ordered by version.</summary>
    public static IReadOnlyList<Migration> All { get; } = LoadMigrations();

    /// <summary>The schema version after all migrations.</summary>
    public static int LatestVersion => All.Count == 0 ? 0 : All[^1].Version;

    /// <summary>Brings the database to <see cref="LatestVersion"/>; applies nothing when it is there already.</summary>
    public static async Task<MigrationResult> MigrateAsync(NpgsqlDataSource dataSource, IProgress<string>? progress = null, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await ExecuteAsync(conn, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct).ConfigureAwait(false);
        try
        {
            // On a Citus coordinator every worker must answer and have the same extensions before anything changes.
            var citus = await CitusTopology.TryGetExtensionVersionAsync(conn, ct).ConfigureAwait(false);
            if (citus is not null) await CitusTopology.CheckWorkersAsync(conn, ct).ConfigureAwait(false);
            await CreateExtensionAsync(conn, "postgis", ct).ConfigureAwait(false);
            await CreateExtensionAsync(conn, "vector", ct).ConfigureAwait(false);
            var postgis = await ExtensionVersionAsync(conn, "postgis", MinPostGisVersion, ct).ConfigureAwait(false);
            var vector = await ExtensionVersionAsync(conn, "vector", MinVectorVersion, ct).ConfigureAwait(false);

            await ExecuteAsync(conn, $"""
                CREATE SCHEMA IF NOT EXISTS {Schema};
                CREATE TABLE IF NOT EXISTS {Schema}.schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, ct).ConfigureAwait(false);
            var applied = new HashSet<int>();
            await using (var cmd = new NpgsqlCommand($"SELECT version FROM {Schema}.schema_migrations", conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
                while (await reader.ReadAsync(ct).ConfigureAwait(false)) applied.Add(reader.GetInt32(0));

            var count = 0;
            foreach (var m in All.Where(m => !applied.Contains(m.Version)))
            {
                progress?.Report($"applying schema migration {m.Version:D4} {m.Name}");
                await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
                await ExecuteAsync(conn, $"SET LOCAL search_path = {Schema}, public", ct).ConfigureAwait(false);
                await ExecuteAsync(conn, m.Sql, ct).ConfigureAwait(false);
                await using (var record = new NpgsqlCommand($"INSERT INTO {Schema}.schema_migrations (version, name) VALUES ($1, $2)", conn))
                {
                    record.Parameters.Add(new NpgsqlParameter { Value = m.Version });
                    record.Parameters.Add(new NpgsqlParameter { Value = m.Name });
                    await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                await tx.CommitAsync(ct).ConfigureAwait(false);
                count++;
            }
            if (citus is not null) await CitusTopology.DistributeAsync(conn, progress, ct).ConfigureAwait(false);
            var version = Math.Max(LatestVersion, applied.Count == 0 ? 0 : applied.Max());
            return new MigrationResult(count, version, postgis, vector);
        }
        finally
        {
            if (conn.FullState == System.Data.ConnectionState.Open)
                await ExecuteAsync(conn, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Drops the catalog schema (every table and row of rsgeo; the extensions stay).</summary>
    public static async Task DropAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await ExecuteAsync(conn, $"DROP SCHEMA IF EXISTS {Schema} CASCADE", ct).ConfigureAwait(false);
    }

    private static async Task CreateExtensionAsync(NpgsqlConnection conn, string name, CancellationToken ct)
    {
        await using (var check = new NpgsqlCommand("SELECT 1 FROM pg_extension WHERE extname = $1", conn))
        {
            check.Parameters.Add(new NpgsqlParameter { Value = name });
            if (await check.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null) return;
        }
        try
        {
            await ExecuteAsync(conn, $"CREATE EXTENSION IF NOT EXISTS {name} SCHEMA public", ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new StoreException($"the extension '{name}' is missing in database '{conn.Database}' and role '{conn.UserName}' may not create it: as a superuser run CREATE EXTENSION {name}; in that database", e);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedFile or PostgresErrorCodes.FeatureNotSupported)
        {
            var package = name == "vector" ? "pgvector 0.8 (./setup.sh builds it for PostgreSQL 15)" : "PostGIS 3 (postgresql-15-postgis-3)";
            throw new StoreException($"the server at {conn.Host} has no '{name}' extension installed ({e.MessageText}); install {package} on it", e);
        }
    }

    private static async Task<string> ExtensionVersionAsync(NpgsqlConnection conn, string name, Version minimum, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT extversion FROM pg_extension WHERE extname = $1", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = name });
        var text = (string)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        if (ParseVersion(text) < minimum)
            throw new StoreException($"extension '{name}' is version {text}; RsGeoSearch needs {minimum} or newer: ALTER EXTENSION {name} UPDATE; after installing a newer package");
        return text;
    }

    /// <summary>Parses "3.3.2" or "0.8.0" (ignoring suffixes such as "dev").</summary>
    public static Version ParseVersion(string text)
    {
        var parts = text.Split('.', 4).Select(p => new string(p.TakeWhile(char.IsAsciiDigit).ToArray())).ToArray();
        int Part(int i) => i < parts.Length && int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
        return new Version(Part(0), Part(1), Part(2));
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static IReadOnlyList<Migration> LoadMigrations()
    {
        var asm = typeof(SchemaMigrator).Assembly;
        var list = new List<Migration>();
        foreach (var resource in asm.GetManifestResourceNames().Where(n => n.StartsWith("migrations/", StringComparison.Ordinal)))
        {
            var file = Path.GetFileNameWithoutExtension(resource["migrations/".Length..]);
            var underscore = file.IndexOf('_');
            if (underscore <= 0 || !int.TryParse(file[..underscore], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                throw new InvalidOperationException($"migration resource '{resource}' must be named NNNN_name.sql");
            using var stream = asm.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            list.Add(new Migration(version, file[(underscore + 1)..], reader.ReadToEnd()));
        }
        list.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < list.Count; i++)
            if (list[i].Version == list[i - 1].Version) throw new InvalidOperationException($"two migrations have version {list[i].Version}");
        return list;
    }
}
