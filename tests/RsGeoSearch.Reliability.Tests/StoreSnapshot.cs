using Npgsql;

namespace RsGeoSearch.Reliability.Tests;

/// <summary>
/// Row counts and an md5 over every row of the catalogue tables (scenes, chips, embeddings, models, scene_models),
/// read straight from PostgreSQL: two equal snapshots mean nothing was added, removed or changed.
/// </summary>
internal sealed record StoreSnapshot(IReadOnlyDictionary<string, (long Rows, string Md5)> Tables)
{
    private static readonly (string Table, string Order)[] Checked =
    [
        ("scenes", "id"), ("chips", "id"), ("embeddings", "model_id, chip_id"), ("models", "id"), ("scene_models", "scene_id, model_id"),
    ];

    public static async Task<StoreSnapshot> TakeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new Dictionary<string, (long, string)>();
        foreach (var (table, order) in Checked)
        {
            await using var cmd = new NpgsqlCommand(
                $"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY {order})), '') FROM rsgeo.{table} t", connection);
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            tables[table] = (reader.GetInt64(0), reader.GetString(1));
        }
        return new StoreSnapshot(tables);
    }

    public long Rows(string table) => Tables[table].Rows;

    public override string ToString() => string.Join(", ", Tables.Select(kv => $"{kv.Key} {kv.Value.Rows} rows md5 {kv.Value.Md5[..Math.Min(8, kv.Value.Md5.Length)]}"));

    public bool SameAs(StoreSnapshot other) => Tables.All(kv => other.Tables.TryGetValue(kv.Key, out var o) && o == kv.Value);
}
