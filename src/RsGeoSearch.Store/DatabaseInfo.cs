using Npgsql;

namespace RsGeoSearch.Store;

/// <summary>Versions a database serves: PostgreSQL, PostGIS, pgvector, and the catalog schema (null when absent).</summary>
public sealed record DatabaseInfo(string ServerVersion, string? PostGisVersion, string? VectorVersion, int? SchemaVersion)
{
    public static async Task<DatabaseInfo> ReadAsync(NpgsqlDataSource dataSource, CancellationToken ct = default)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        const string sql = """
            SELECT current_setting('server_version'),
                   (SELECT extversion FROM pg_extension WHERE extname = 'postgis'),
                   (SELECT extversion FROM pg_extension WHERE extname = 'vector'),
                   to_regclass('rsgeo.schema_migrations') IS NOT NULL
            """;
        string server; string? postgis, vector; bool hasSchema;
        await using (var cmd = new NpgsqlCommand(sql, conn))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await reader.ReadAsync(ct).ConfigureAwait(false);
            server = reader.GetString(0);
            postgis = reader.IsDBNull(1) ? null : reader.GetString(1);
            vector = reader.IsDBNull(2) ? null : reader.GetString(2);
            hasSchema = reader.GetBoolean(3);
        }
        int? schema = null;
        if (hasSchema)
        {
            await using var cmd = new NpgsqlCommand("SELECT max(version) FROM rsgeo.schema_migrations", conn);
            schema = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is int v ? v : 0;
        }
        return new DatabaseInfo(server, postgis, vector, schema);
    }
}
