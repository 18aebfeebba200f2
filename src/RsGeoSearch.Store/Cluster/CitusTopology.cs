using Npgsql;

namespace RsGeoSearch.Store.Cluster;

/// <summary>
/// What a Citus coordinator (local or external) knows about its workers: the Citus version, whether every worker
/// answers, has postgis and vector and the coordinator's Citus version, and how many shards and chips each holds.
/// </summary>
public static class CitusTopology
{
    /// <summary>The Citus extension version on this database (e.g. "13.2-1"), or null when Citus is not created here.</summary>
    public static async Task<string?> TryGetExtensionVersionAsync(NpgsqlConnection conn, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("SELECT extversion FROM pg_extension WHERE extname = 'citus'", conn);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
    }

    /// <summary>The running Citus library's version (e.g. "13.2.2"), or null when Citus is not created here.</summary>
    public static async Task<string?> TryGetVersionAsync(NpgsqlConnection conn, CancellationToken ct = default)
    {
        if (await TryGetExtensionVersionAsync(conn, ct).ConfigureAwait(false) is null) return null;
        await using var cmd = new NpgsqlCommand("SELECT citus_version()", conn);
        var text = (string)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        // "Citus 13.2.2 on x86_64-pc-linux-gnu, compiled by ..."
        var parts = text.Split(' ', 3);
        return parts.Length >= 2 ? parts[1] : text;
    }

    /// <summary>
    /// Checks that every active worker answers, has the extensions citus (the coordinator's version), postgis and
    /// vector in the catalog database. Throws <see cref="CitusNodeException"/> for the first worker that fails.
    /// </summary>
    public static async Task CheckWorkersAsync(NpgsqlConnection conn, CancellationToken ct = default)
    {
        var citus = await TryGetExtensionVersionAsync(conn, ct).ConfigureAwait(false)
            ?? throw new StoreException("the database has no citus extension");
        const string probe = """
            SELECT coalesce(string_agg(extname || '=' || extversion, ',' ORDER BY extname), '') FROM pg_extension
            WHERE extname IN ('citus', 'postgis', 'vector')
            """;
        foreach (var (host, port, success, result) in await ProbeWorkersAsync(conn, probe, ct).ConfigureAwait(false))
        {
            var node = $"worker {host}:{port}";
            if (!success)
                throw new CitusNodeException(node, null, $"does not answer ({FirstLine(result)})",
                    "start it (rsgeo db start starts local workers) or remove it on the coordinator with SELECT citus_remove_node(host, port)");
            var have = result.Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);
            foreach (var ext in new[] { "citus", "postgis", "vector" })
                if (!have.ContainsKey(ext))
                    throw new CitusNodeException(node, null, $"lacks the extension '{ext}'", InstallHint(ext) + $", then CREATE EXTENSION {ext}; in database {conn.Database} there");
            if (have["citus"] != citus)
                throw new CitusNodeException(node, null, $"runs Citus {have["citus"]} but the coordinator runs {citus}",
                    "install the same Citus release on every node and run ALTER EXTENSION citus UPDATE; on each");
        }
    }

    /// <summary>
    /// Runs <paramref name="sql"/> on every active primary worker (in node order) over a connection of its own per
    /// worker; a worker that does not answer within 5 s is a row with Success false and the error as Result.
    /// </summary>
    public static async Task<IReadOnlyList<(string Host, int Port, bool Success, string Result)>> ProbeWorkersAsync(
        NpgsqlConnection conn, string sql, CancellationToken ct = default)
    {
        var workers = new List<(string Host, int Port)>();
        await using (var cmd = new NpgsqlCommand("SELECT nodename, nodeport FROM pg_dist_node WHERE noderole = 'primary' AND isactive AND groupid <> 0 ORDER BY nodeid", conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) workers.Add((reader.GetString(0), reader.GetInt32(1)));
        if (workers.Count == 0) return [];

        // master_run_on_worker reports a worker that fails as a row (no exception); the timeout bounds a silent host.
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var timeout = new NpgsqlCommand("SET LOCAL citus.node_connection_timeout = 5000", conn, tx))
            await timeout.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await using var run = new NpgsqlCommand("SELECT node_name, node_port, success, result FROM master_run_on_worker($1, $2, $3, false)", conn, tx);
        run.Parameters.Add(new NpgsqlParameter { Value = workers.Select(w => w.Host).ToArray() });
        run.Parameters.Add(new NpgsqlParameter { Value = workers.Select(w => w.Port).ToArray() });
        run.Parameters.Add(new NpgsqlParameter { Value = workers.Select(_ => sql).ToArray() });
        var rows = new List<(string, int, bool, string)>();
        await using (var reader = await run.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                rows.Add((reader.GetString(0), reader.GetInt32(1), reader.GetBoolean(2), reader.IsDBNull(3) ? "" : reader.GetString(3)));
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return rows;
    }

    /// <summary>
    /// A worker as HTTP clients may see it: "worker 2 of 3", with host:port unless the host is a socket folder
    /// (local clusters), which is a server path.
    /// </summary>
    public static string PublicName(string host, int port, int index, int count) =>
        host.StartsWith('/') ? $"worker {index + 1} of {count}" : $"worker {index + 1} of {count} ({host}:{port})";

    /// <summary>
    /// The catalog's placement on a Citus cluster, in the order foreign keys need: small tables (models, scenes,
    /// scene_models) become reference tables, a copy on every node, so joins with them stay local to any shard;
    /// chips and embeddings are hash-distributed by the scene's spatial cell and co-located, so a chip, its
    /// embeddings and every other chip of the same place share a shard.
    /// </summary>
    public static readonly IReadOnlyList<(string Table, string? Column)> Placement =
    [
        ("models", null), ("scenes", null), ("scene_models", null), ("chips", "cell"), ("embeddings", "cell"),
    ];

    /// <summary>
    /// Distributes the catalog tables that are not distributed yet (existing rows move to the shards). A no-op
    /// on a catalog that is distributed already.
    /// </summary>
    public static async Task DistributeAsync(NpgsqlConnection conn, IProgress<string>? progress, CancellationToken ct = default)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand($"""
            SELECT format('%I.%I', n.nspname, c.relname) FROM pg_dist_partition p
            JOIN pg_class c ON c.oid = p.logicalrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = '{SchemaMigrator.Schema}'
            """, conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) done.Add(reader.GetString(0));
        // The search sets hnsw.* with SET LOCAL in its transaction: the shards' index scans must see them too.
        await using (var set = new NpgsqlCommand($"ALTER DATABASE {EmbeddedCluster.QuoteIdentifier(conn.Database!)} SET citus.propagate_set_commands = 'local'", conn))
            await set.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await using (var now = new NpgsqlCommand("SET citus.propagate_set_commands = 'local'", conn))
            await now.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        if (Placement.All(p => done.Contains($"{SchemaMigrator.Schema}.{p.Table}"))) return;

        // Citus converts tables that local tables reference through foreign keys, which it refuses for tables with
        // identity columns: drop the catalog's foreign keys, distribute, then create them again (now between
        // reference and co-located distributed tables, where Citus enforces them).
        // One transaction: a failure leaves the catalog as it was (local tables with their keys).
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await ExecuteAsync(conn, "SET LOCAL citus.multi_shard_modify_mode TO 'sequential'", ct).ConfigureAwait(false);
        var foreignKeys = new List<(string Table, string Name, string Definition)>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT format('%I.%I', '{SchemaMigrator.Schema}', (SELECT relname FROM pg_class WHERE oid = conrelid)), conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contype = 'f' AND connamespace = '{SchemaMigrator.Schema}'::regnamespace ORDER BY 1, 2
            """, conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) foreignKeys.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        foreach (var (table, name, _) in foreignKeys)
            await ExecuteAsync(conn, $"ALTER TABLE {table} DROP CONSTRAINT {EmbeddedCluster.QuoteIdentifier(name)}", ct).ConfigureAwait(false);

        string? colocate = null;
        foreach (var (table, column) in Placement)
        {
            var name = $"{SchemaMigrator.Schema}.{table}";
            if (column is not null && colocate is null) colocate = name;
            if (done.Contains(name)) continue;
            progress?.Report(column is null ? $"making {name} a reference table (a copy on every node)" : $"distributing {name} by {column}");
            var sql = column is null ? "SELECT create_reference_table($1)"
                : colocate == name ? "SELECT create_distributed_table($1, $2)"
                : "SELECT create_distributed_table($1, $2, colocate_with => $3)";
            await using var dist = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
            dist.Parameters.Add(new NpgsqlParameter { Value = name });
            if (column is not null) dist.Parameters.Add(new NpgsqlParameter { Value = column });
            if (column is not null && colocate != name) dist.Parameters.Add(new NpgsqlParameter { Value = colocate });
            await dist.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        foreach (var (table, name, definition) in foreignKeys)
            await ExecuteAsync(conn, $"ALTER TABLE {table} ADD CONSTRAINT {EmbeddedCluster.QuoteIdentifier(name)} {definition}", ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Per worker (by host): shard placements of the catalog tables and chips stored there.</summary>
    public static async Task<IReadOnlyList<(string Host, int Port, long Shards, long Chips)>> GetWorkerLoadAsync(NpgsqlConnection conn, CancellationToken ct = default)
    {
        const string sql = """
            SELECT n.nodename, n.nodeport,
                   (SELECT count(*) FROM citus_shards s WHERE s.nodename = n.nodename AND s.nodeport = n.nodeport
                      AND s.citus_table_type = 'distributed')::bigint
            FROM pg_dist_node n WHERE n.groupid <> 0 AND n.noderole = 'primary' ORDER BY n.nodeid
            """;
        var list = new List<(string, int, long, long)>();
        await using (var cmd = new NpgsqlCommand(sql, conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                list.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), 0));
        var chips = await ChipsPerNodeAsync(conn, ct).ConfigureAwait(false);
        return list.Select(w => (w.Item1, w.Item2, w.Item3, chips.TryGetValue((w.Item1, w.Item2), out var n) ? n : 0L)).ToList();
    }

    private static async Task<Dictionary<(string, int), long>> ChipsPerNodeAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var result = new Dictionary<(string, int), long>();
        await using (var check = new NpgsqlCommand("SELECT to_regclass('rsgeo.chips') IS NOT NULL AND EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'rsgeo.chips'::regclass)", conn))
            if (await check.ExecuteScalarAsync(ct).ConfigureAwait(false) is not true) return result;
        const string sql = """
            SELECT nodename, nodeport, sum(result::bigint)::bigint
            FROM run_command_on_placements('rsgeo.chips', 'SELECT count(*) FROM %s')
            WHERE success GROUP BY nodename, nodeport
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) result[(reader.GetString(0), reader.GetInt32(1))] = reader.GetInt64(2);
        return result;
    }

    /// <summary>
    /// True when a Citus coordinator reports that a worker's connection failed mid-statement (a worker went down):
    /// Citus raises that as an internal error (XX000), not as a connection failure (08xxx), yet it means the same
    /// to a client: the database is unavailable for now and nothing of the failed statement was committed.
    /// </summary>
    public static bool IsWorkerConnectionFailure(PostgresException e) =>
        e.SqlState == PostgresErrorCodes.InternalError
        && WorkerConnectionFailures.Any(text => e.MessageText.StartsWith(text, StringComparison.Ordinal));

    /// <summary>
    /// How those errors begin: Citus's own texts, and libpq's texts that Citus passes on (with XX000) when a worker's
    /// connection breaks mid-result, e.g. "server closed the connection unexpectedly" for a worker killed by SIGKILL.
    /// </summary>
    private static readonly string[] WorkerConnectionFailures =
    [
        "failure on connection marked as essential", "connection to the remote node", "could not establish any connections to the node",
        "server closed the connection unexpectedly", "could not connect to server", "connection to server", "no connection to the server",
        "SSL SYSCALL error", "lost connection to",
    ];

    /// <summary>How to install an extension a node lacks.</summary>
    public static string InstallHint(string extension) => extension switch
    {
        "citus" => $"install Citus {CitusCluster.CitusVersion} on it (./setup.sh --citus here, Citus's postgresql-15-citus package elsewhere) and add citus to shared_preload_libraries",
        "vector" => "install pgvector 0.8 on it (./setup.sh builds it for PostgreSQL 15)",
        _ => "install PostGIS 3 on it (postgresql-15-postgis-3)",
    };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
