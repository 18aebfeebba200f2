using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>
/// The catalogue's embedding spaces (one per model name, with its dimension, storage and weights fingerprint) and
/// their vector indexes (HNSW or IVFFlat, per model), including dropping and rebuilding an index around a bulk load.
/// Registrations are cached.
/// </summary>
public sealed class ModelStore
{
    private readonly CatalogStore _store;
    private readonly ConcurrentDictionary<string, ModelInfo> _cache = new(StringComparer.Ordinal);

    internal ModelStore(CatalogStore store) => _store = store;

    /// <summary>
    /// Registers an embedding space (idempotent) and creates its vector index (<see cref="EnsureVectorIndexAsync"/>).
    /// Throws <see cref="InputException"/> when the name is registered with another dimension, and <see cref="ModelWeightsChangedException"/> when
    /// <paramref name="fingerprint"/> differs from the one its stored embeddings were made with (a model without
    /// stored embeddings takes the new fingerprint).
    /// </summary>
    /// <param name="halfPrecision">
    /// Store the embeddings as halfvec; null: from <see cref="ModelInfo.HalfPrecisionFromDimension"/> dimensions on.
    /// Only a new registration takes it; a registered model keeps its storage.
    /// </param>
    public async Task<ModelInfo> RegisterAsync(string name, int dimension, string? fingerprint = null, bool? halfPrecision = null, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200) throw new InputException("a model name must have 1 to 200 characters");
        if (dimension is < 1 or > 2000) throw new InputException($"model '{name}': dimension {dimension} must be between 1 and 2000 (the largest pgvector's HNSW index takes)");
        await _store.RunAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO models (name, dim, fingerprint, storage) VALUES (@name, @dim, @fingerprint, @storage) ON CONFLICT (name) DO NOTHING;
                UPDATE models m SET fingerprint = @fingerprint
                WHERE m.name = @name AND @fingerprint::text IS NOT NULL AND m.fingerprint IS DISTINCT FROM @fingerprint::text
                  AND NOT @stored;
                """, conn);
            // Whether embeddings of the model are stored, asked first: on Citus an UPDATE of the reference table
            // models cannot read the distributed embeddings table in a subquery.
            await using (var stored = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM embeddings e JOIN models m ON m.id = e.model_id WHERE m.name = @name)", conn))
            {
                stored.Parameters.AddWithValue("name", name);
                cmd.Parameters.AddWithValue("stored", (bool)(await stored.ExecuteScalarAsync(ct).ConfigureAwait(false))!);
            }
            cmd.Parameters.AddWithValue("name", name);
            cmd.Parameters.AddWithValue("dim", dimension);
            cmd.Parameters.AddWithValue("storage", halfPrecision ?? dimension >= ModelInfo.HalfPrecisionFromDimension ? "halfvec" : "vector");
            cmd.Parameters.Add(new NpgsqlParameter("fingerprint", NpgsqlDbType.Text) { Value = (object?)fingerprint ?? DBNull.Value });
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        _cache.TryRemove(name, out _);
        var model = await GetAsync(name, ct).ConfigureAwait(false);
        if (model.Dimension != dimension)
            throw new InputException($"model '{name}' is registered with dimension {model.Dimension}, not {dimension}; give the other model another name");
        if (fingerprint is not null && model.Fingerprint != fingerprint)
            throw new ModelWeightsChangedException(name, model.Fingerprint, fingerprint);
        await EnsureVectorIndexAsync(model, ct).ConfigureAwait(false);
        return model;
    }

    /// <summary>
    /// Deletes a model's registration with all its embeddings, ingest progress and index (chips, scenes and other
    /// models are kept). Returns false when no such model exists.
    /// </summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken ct = default)
    {
        var deleted = await _store.RunAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand("DELETE FROM models WHERE name = @name RETURNING id", conn) { CommandTimeout = 0 };
            cmd.Parameters.AddWithValue("name", name);
            if (await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is not int modelId) return false;
            foreach (var kind in Enum.GetValues<VectorIndexKind>())
            {
                // One index per DROP: Citus drops no two distributed indexes in one command.
                await using var drop = new NpgsqlCommand($"DROP INDEX IF EXISTS {ModelInfo.IndexNameOf(modelId, kind)}", conn);
                await drop.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return true;
        }, ct).ConfigureAwait(false);
        _cache.TryRemove(name, out _);
        return deleted;
    }

    /// <summary>The registered model of that name; <see cref="NotFoundException"/> naming the registered ones when unknown.</summary>
    public async Task<ModelInfo> GetAsync(string name, CancellationToken ct = default) =>
        await TryGetAsync(name, ct).ConfigureAwait(false)
        ?? throw new NotFoundException($"unknown model '{name}'; the catalog has {Describe(await ListAsync(ct).ConfigureAwait(false))}");

    /// <summary>The registered model of that name, or null.</summary>
    public async Task<ModelInfo?> TryGetAsync(string name, CancellationToken ct = default)
    {
        if (_cache.TryGetValue(name, out var cached)) return cached;
        var model = await _store.RunAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand("SELECT id, name, dim, fingerprint, storage, vector_index FROM models WHERE name = @name", conn);
            cmd.Parameters.AddWithValue("name", name);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? Read(reader) : null;
        }, ct).ConfigureAwait(false);
        if (model is not null) _cache[name] = model;
        return model;
    }

    public Task<IReadOnlyList<ModelInfo>> ListAsync(CancellationToken ct = default) =>
        _store.RunAsync<IReadOnlyList<ModelInfo>>(async conn =>
        {
            await using var cmd = new NpgsqlCommand("SELECT id, name, dim, fingerprint, storage, vector_index FROM models ORDER BY id", conn);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var list = new List<ModelInfo>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(Read(reader));
            return list;
        }, ct);

    /// <summary>True when the model's vector index exists.</summary>
    public Task<bool> HasVectorIndexAsync(ModelInfo model, CancellationToken ct = default) =>
        _store.RunAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand($"SELECT to_regclass('{SchemaMigrator.Schema}.{model.IndexName}') IS NOT NULL", conn);
            return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, ct);

    /// <summary>
    /// Creates the model's vector index (cosine; a partial expression index on rsgeo.embeddings) unless it exists:
    /// HNSW at once, even empty; IVFFlat once the model has <see cref="CatalogStoreOptions.IvfFlatMinRows"/>
    /// embeddings, and again with more lists when they have grown fourfold since it was built (its centres are
    /// trained on the rows present). Blocks writers of embeddings while it builds.
    /// </summary>
    public async Task EnsureVectorIndexAsync(ModelInfo model, CancellationToken ct = default)
    {
        var ops = $"(({model.Column}::{model.VectorType}({model.Dimension})) {model.VectorType}_cosine_ops)";
        if (model.VectorIndex == VectorIndexKind.Hnsw)
        {
            await ExecuteAsync($"""
                CREATE INDEX IF NOT EXISTS {model.IndexName} ON embeddings USING hnsw {ops}
                WITH (m = {_store.Options.HnswM}, ef_construction = {_store.Options.HnswEfConstruction})
                WHERE model_id = {model.Id}
                """, ct).ConfigureAwait(false);
            return;
        }
        var rows = await CountEmbeddingsAsync(model, ct).ConfigureAwait(false);
        if (rows < _store.Options.IvfFlatMinRows) return;
        var lists = await IvfListsAsync(model, ct).ConfigureAwait(false);
        if (lists is { } built && built * 4 > IvfLists(rows)) return;
        // Built beside the old one (CREATE INDEX blocks writers, not searches), then swapped in one short transaction.
        var fresh = $"{model.IndexName}_new";
        await ExecuteAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"""
            DROP INDEX IF EXISTS {fresh};
            CREATE INDEX {fresh} ON embeddings USING ivfflat {ops} WITH (lists = {IvfLists(rows)}) WHERE model_id = {model.Id}
            """), ct).ConfigureAwait(false);
        await ExecuteAsync($"DROP INDEX IF EXISTS {model.IndexName}; ALTER INDEX {fresh} RENAME TO {model.IndexName}", ct).ConfigureAwait(false);
    }

    /// <summary>IVFFlat lists for a model of <paramref name="rows"/> embeddings: rows / 1000 up to 10^6, √rows beyond (pgvector's advice).</summary>
    public static int IvfLists(long rows) => rows <= 1_000_000 ? (int)Math.Max(1, rows / 1000) : (int)Math.Sqrt(rows);

    /// <summary>The lists of the model's IVFFlat index; null when it has none.</summary>
    private Task<int?> IvfListsAsync(ModelInfo model, CancellationToken ct) =>
        _store.RunAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand(ChipSql.IvfLists(model), conn);
            return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is int lists ? lists : (int?)null;
        }, ct);

    /// <summary>
    /// Makes <paramref name="kind"/> the model's index kind, dropping its index of the other kind and building the
    /// new one (`rsgeo db index`). Returns the model as registered now.
    /// </summary>
    public async Task<ModelInfo> SetVectorIndexAsync(string name, VectorIndexKind kind, CancellationToken ct = default)
    {
        var model = await GetAsync(name, ct).ConfigureAwait(false);
        if (model.VectorIndex != kind)
        {
            await ExecuteAsync($"DROP INDEX IF EXISTS {model.IndexName}", ct).ConfigureAwait(false);
            await _store.RunAsync(async conn =>
            {
                await using var cmd = new NpgsqlCommand("UPDATE models SET vector_index = @kind WHERE id = @id", conn);
                cmd.Parameters.AddWithValue("kind", kind.Name());
                cmd.Parameters.AddWithValue("id", model.Id);
                await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
            _cache.TryRemove(name, out _);
            model = await GetAsync(name, ct).ConfigureAwait(false);
        }
        await EnsureVectorIndexAsync(model, ct).ConfigureAwait(false);
        await ExecuteAsync("ANALYZE embeddings", ct).ConfigureAwait(false);
        return model;
    }

    /// <summary>Drops the model's vector index (searches scan exactly until it is rebuilt).</summary>
    public Task DropVectorIndexAsync(ModelInfo model, CancellationToken ct = default) => ExecuteAsync($"DROP INDEX IF EXISTS {model.IndexName}", ct);

    /// <summary>
    /// Before writing about <paramref name="expectedNewChips"/> embeddings of a model: drops its vector index
    /// when building it afresh after the load is faster than inserting into it (the load adds at least
    /// <see cref="CatalogStoreOptions.BulkLoadRebuildMinRows"/> and at least half the stored rows). Returns
    /// true when it dropped the index; call <see cref="FinishBulkLoadAsync"/> after the load either way.
    /// </summary>
    public async Task<bool> PrepareBulkLoadAsync(ModelInfo model, long expectedNewChips, CancellationToken ct = default)
    {
        if (expectedNewChips < _store.Options.BulkLoadRebuildMinRows) return false;
        var stored = await CountEmbeddingsAsync(model, ct).ConfigureAwait(false);
        if (expectedNewChips * 2 < stored) return false;
        if (!await HasVectorIndexAsync(model, ct).ConfigureAwait(false)) return false;
        await DropVectorIndexAsync(model, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>After a load: (re)builds the model's vector index if missing and refreshes planner statistics.</summary>
    public async Task FinishBulkLoadAsync(ModelInfo model, CancellationToken ct = default)
    {
        await EnsureVectorIndexAsync(model, ct).ConfigureAwait(false);
        await ExecuteAsync("ANALYZE scenes; ANALYZE scene_models; ANALYZE chips; ANALYZE embeddings", ct).ConfigureAwait(false);
    }

    /// <summary>Stored embeddings of the model (maintained per scene; exact).</summary>
    public Task<long> CountEmbeddingsAsync(ModelInfo model, CancellationToken ct = default) =>
        _store.RunAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand($"SELECT coalesce(sum(chip_count), 0)::bigint FROM scene_models WHERE model_id = {model.Id}", conn);
            return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, ct);

    private Task ExecuteAsync(string sql, CancellationToken ct) =>
        _store.RunAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, ct);

    private static ModelInfo Read(NpgsqlDataReader r) =>
        new(r.GetInt32(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4) == "halfvec",
            VectorIndexKinds.Parse(r.GetString(5)) ?? VectorIndexKind.Hnsw);

    private static string Describe(IReadOnlyList<ModelInfo> models) =>
        models.Count == 0 ? "no models yet (ingest imagery first)" : "models " + string.Join(", ", models.Select(m => $"'{m.Name}' ({m.Dimension}-d)"));
}
