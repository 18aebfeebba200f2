using System.Collections.Concurrent;
using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using Pgvector;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>
/// The catalog in PostgreSQL (PostGIS + pgvector): models, scenes, chips and embeddings. Ingest writes
/// through <see cref="BeginSceneAsync"/> → <see cref="WriteChipsAsync"/> (any number of batches, each one
/// transaction, exactly-once by chip key) → <see cref="CompleteSceneAsync"/>; search and look-ups are in
/// the other parts of this class. Thread-safe; owns its <see cref="NpgsqlDataSource"/>.
/// </summary>
public sealed partial class CatalogStore : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ModelInfo> _models = new(StringComparer.Ordinal);

    private CatalogStore(NpgsqlDataSource dataSource, CatalogStoreOptions options)
    {
        DataSource = dataSource;
        Options = options;
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

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    /// <summary>True when the database answers a trivial query.</summary>
    public async Task<bool> IsAvailableAsync(CancellationToken ct = default)
    {
        try
        {
            await using var conn = await DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var cmd = new NpgsqlCommand("SELECT 1", conn);
            return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is 1;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>Opens a pooled connection; a database that is down or refusing connections becomes <see cref="ServiceUnavailableException"/>.</summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        try
        {
            return await DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections
                                              or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown)
        {
            throw new ServiceUnavailableException($"the catalog database refuses connections ({e.MessageText}); retry shortly", TimeSpan.FromSeconds(5), e);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            throw new ServiceUnavailableException($"the catalog database is unreachable ({e.Message}); is it running? (rsgeo db status)", TimeSpan.FromSeconds(5), e);
        }
    }

    // ---- models ------------------------------------------------------------------------------

    /// <summary>
    /// Registers an embedding space (idempotent) and creates its HNSW index. Throws <see cref="InputException"/>
    /// when the name is registered with another dimension, and <see cref="ModelWeightsChangedException"/> when
    /// <paramref name="fingerprint"/> differs from the one its stored embeddings were made with (a model without
    /// stored embeddings takes the new fingerprint).
    /// </summary>
    /// <param name="halfPrecision">
    /// Store the embeddings as halfvec; null: from <see cref="ModelInfo.HalfPrecisionFromDimension"/> dimensions on.
    /// Only a new registration takes it; a registered model keeps its storage.
    /// </param>
    public async Task<ModelInfo> RegisterModelAsync(string name, int dimension, string? fingerprint = null, bool? halfPrecision = null, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200) throw new InputException("a model name must have 1 to 200 characters");
        if (dimension is < 1 or > 2000) throw new InputException($"model '{name}': dimension {dimension} must be between 1 and 2000 (the largest pgvector's HNSW index takes)");
        await using (var conn = await OpenAsync(ct).ConfigureAwait(false))
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO models (name, dim, fingerprint, storage) VALUES (@name, @dim, @fingerprint, @storage) ON CONFLICT (name) DO NOTHING;
            UPDATE models m SET fingerprint = @fingerprint
            WHERE m.name = @name AND @fingerprint::text IS NOT NULL AND m.fingerprint IS DISTINCT FROM @fingerprint::text
              AND NOT @stored;
            """, conn))
        {
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
        }
        _models.TryRemove(name, out _);
        var model = await GetModelAsync(name, ct).ConfigureAwait(false);
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
    public async Task<bool> DeleteModelAsync(string name, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("DELETE FROM models WHERE name = @name RETURNING id", conn) { CommandTimeout = 0 };
        cmd.Parameters.AddWithValue("name", name);
        var id = await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
        _models.TryRemove(name, out _);
        if (id is not int modelId) return false;
        await using var drop = new NpgsqlCommand($"DROP INDEX IF EXISTS embeddings_hnsw_m{modelId}", conn);
        await drop.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The registered model of that name; <see cref="NotFoundException"/> naming the registered ones when unknown.</summary>
    public async Task<ModelInfo> GetModelAsync(string name, CancellationToken ct = default) =>
        await TryGetModelAsync(name, ct).ConfigureAwait(false)
        ?? throw new NotFoundException($"unknown model '{name}'; the catalog has {DescribeModels(await ListModelsAsync(ct).ConfigureAwait(false))}");

    /// <summary>The registered model of that name, or null.</summary>
    public async Task<ModelInfo?> TryGetModelAsync(string name, CancellationToken ct = default)
    {
        if (_models.TryGetValue(name, out var cached)) return cached;
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT id, name, dim, fingerprint, storage FROM models WHERE name = @name", conn);
        cmd.Parameters.AddWithValue("name", name);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false)) return null;
        var model = ReadModel(reader);
        _models[name] = model;
        return model;
    }

    public async Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("SELECT id, name, dim, fingerprint, storage FROM models ORDER BY id", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var list = new List<ModelInfo>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) list.Add(ReadModel(reader));
        return list;
    }

    private static ModelInfo ReadModel(NpgsqlDataReader r) =>
        new(r.GetInt32(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4) == "halfvec");

    private static string DescribeModels(IReadOnlyList<ModelInfo> models) =>
        models.Count == 0 ? "no models yet (ingest imagery first)" : "models " + string.Join(", ", models.Select(m => $"'{m.Name}' ({m.Dimension}-d)"));

    // ---- vector index ------------------------------------------------------------------------

    /// <summary>True when the model's HNSW index exists.</summary>
    public async Task<bool> HasVectorIndexAsync(ModelInfo model, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"SELECT to_regclass('{SchemaMigrator.Schema}.{model.IndexName}') IS NOT NULL", conn);
        return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Creates the model's HNSW index (cosine; a partial expression index on rsgeo.embeddings) unless it
    /// exists, then refreshes planner statistics. Blocks writers of embeddings while it builds.
    /// </summary>
    public async Task EnsureVectorIndexAsync(ModelInfo model, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        var sql = $"""
            CREATE INDEX IF NOT EXISTS {model.IndexName} ON embeddings
            USING hnsw (({model.Column}::{model.VectorType}({model.Dimension})) {model.VectorType}_cosine_ops)
            WITH (m = {Options.HnswM}, ef_construction = {Options.HnswEfConstruction})
            WHERE model_id = {model.Id}
            """;
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Drops the model's HNSW index (searches scan exactly until it is rebuilt).</summary>
    public async Task DropVectorIndexAsync(ModelInfo model, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"DROP INDEX IF EXISTS {model.IndexName}", conn);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Before writing about <paramref name="expectedNewChips"/> embeddings of a model: drops its HNSW index
    /// when building it afresh after the load is faster than inserting into it (the load adds at least
    /// <see cref="CatalogStoreOptions.BulkLoadRebuildMinRows"/> and at least half the stored rows). Returns
    /// true when it dropped the index; call <see cref="FinishBulkLoadAsync"/> after the load either way.
    /// </summary>
    public async Task<bool> PrepareBulkLoadAsync(ModelInfo model, long expectedNewChips, CancellationToken ct = default)
    {
        if (expectedNewChips < Options.BulkLoadRebuildMinRows) return false;
        var stored = await CountEmbeddingsAsync(model, ct).ConfigureAwait(false);
        if (expectedNewChips * 2 < stored) return false;
        if (!await HasVectorIndexAsync(model, ct).ConfigureAwait(false)) return false;
        await DropVectorIndexAsync(model, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>After a load: (re)builds the model's HNSW index if missing and refreshes planner statistics.</summary>
    public async Task FinishBulkLoadAsync(ModelInfo model, CancellationToken ct = default)
    {
        await EnsureVectorIndexAsync(model, ct).ConfigureAwait(false);
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("ANALYZE scenes; ANALYZE scene_models; ANALYZE chips; ANALYZE embeddings", conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Stored embeddings of the model (maintained per scene; exact).</summary>
    public async Task<long> CountEmbeddingsAsync(ModelInfo model, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"SELECT coalesce(sum(chip_count), 0)::bigint FROM scene_models WHERE model_id = {model.Id}", conn);
        return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    // ---- ingest ------------------------------------------------------------------------------

    /// <summary>
    /// Records a scene (idempotent by <see cref="Scene.Sha256"/>: a scene with that hash keeps its id) and
    /// its ingest under <paramref name="model"/> with <paramref name="grid"/> (default
    /// <see cref="SceneGrid.Default"/>). When <see cref="SceneRegistration.Completed"/> is true the model
    /// already stored every chip of it on every requested level and the ingest can skip it; asking for a
    /// level not stored yet reopens the scene. Throws <see cref="SceneGridMismatchException"/> when the scene
    /// is stored with another chip size or stride.
    /// </summary>
    public async Task<SceneRegistration> BeginSceneAsync(Scene scene, ModelInfo model, SceneGrid? grid = null, CancellationToken ct = default)
    {
        grid ??= SceneGrid.Default;
        var sha = NormalizeSha256(scene.Sha256);
        if (scene.Width <= 0 || scene.Height <= 0 || scene.Bands <= 0)
            throw new InputException($"scene {scene.Uri}: width, height and bands must be positive ({scene.Width}x{scene.Height}x{scene.Bands})");
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        bool created;
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO scenes (uri, sha256, crs, acquired_at, acquired_source, footprint, width, height, bands, chip_size, stride)
            VALUES (@uri, @sha, @crs, @acquired, @source, ST_SetSRID(@footprint, 4326), @width, @height, @bands, @chip, @stride)
            ON CONFLICT (sha256) DO NOTHING
            """, conn))
        {
            insert.Parameters.AddWithValue("chip", grid.ChipSize);
            insert.Parameters.AddWithValue("stride", grid.Stride);
            insert.Parameters.AddWithValue("uri", scene.Uri);
            insert.Parameters.AddWithValue("sha", sha);
            insert.Parameters.Add(new NpgsqlParameter("crs", NpgsqlDbType.Text) { Value = (object?)scene.Crs ?? DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter("acquired", NpgsqlDbType.TimestampTz) { Value = scene.AcquiredAt is { } t ? t.ToUniversalTime() : DBNull.Value });
            insert.Parameters.AddWithValue("source", (short)scene.AcquiredSource);
            insert.Parameters.Add(new NpgsqlParameter("footprint", NpgsqlDbType.Geometry) { Value = (object?)scene.Footprint ?? DBNull.Value });
            insert.Parameters.AddWithValue("width", scene.Width);
            insert.Parameters.AddWithValue("height", scene.Height);
            insert.Parameters.AddWithValue("bands", scene.Bands);
            created = await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }
        var levels = grid.Levels.Select(l => (short)l).ToArray();
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        // scene_models is written before scenes, the order every chip batch (WriteChipsAsync) takes them in: on Citus
        // both are reference tables whose writes lock the whole table (scene_models, then the tables it references),
        // and the opposite order here deadlocked with a concurrent batch of another scene.
        long sceneId;
        await using (var find = new NpgsqlCommand("SELECT id FROM scenes WHERE sha256 = @sha", conn, tx))
        {
            find.Parameters.AddWithValue("sha", sha);
            sceneId = await find.ExecuteScalarAsync(ct).ConfigureAwait(false) as long?
                ?? throw new StoreException($"scene {sha} vanished while it was being registered (deleted concurrently?); run the ingest again");
        }
        // Reopen a completed scene when this ingest asks for a level it has not stored yet.
        await using (var levelsCmd = new NpgsqlCommand($"""
            INSERT INTO scene_models (scene_id, model_id, levels) VALUES (@scene, {model.Id}, @levels)
            ON CONFLICT (scene_id, model_id) DO UPDATE
                SET levels = merge_levels(scene_models.levels, excluded.levels),
                    completed_at = NULL
                WHERE NOT scene_models.levels @> excluded.levels
            """, conn, tx))
        {
            levelsCmd.Parameters.AddWithValue("scene", sceneId);
            levelsCmd.Parameters.AddWithValue("levels", levels);
            await levelsCmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await using (var check = new NpgsqlCommand("""
            UPDATE scenes SET chip_size = coalesce(chip_size, @chip), stride = coalesce(stride, @stride)
            WHERE id = @scene RETURNING uri, chip_size, stride
            """, conn, tx))
        {
            check.Parameters.AddWithValue("scene", sceneId);
            check.Parameters.AddWithValue("chip", grid.ChipSize);
            check.Parameters.AddWithValue("stride", grid.Stride);
            await using var reader = await check.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                throw new StoreException($"scene {sha} vanished while it was being registered (deleted concurrently?); run the ingest again");
            var stored = new SceneGrid(reader.GetInt32(1), reader.GetInt32(2), grid.Levels);
            if (stored.ChipSize != grid.ChipSize || stored.Stride != grid.Stride)
                throw new SceneGridMismatchException(sceneId,
                    $"{scene.Uri}: the same content is already stored (as {reader.GetString(0)}) with {stored}; this ingest asks for {grid}. " +
                    $"Ingest it with --chip-size {stored.ChipSize} --stride {stored.Stride}, or add --retile to delete its stored chips (of every model) and cut it again");
        }
        SceneRegistration registration;
        await using (var cmd = new NpgsqlCommand($"SELECT completed_at IS NOT NULL, chip_count FROM scene_models WHERE scene_id = @scene AND model_id = {model.Id}", conn, tx))
        {
            cmd.Parameters.AddWithValue("scene", sceneId);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            registration = new SceneRegistration(sceneId, created, reader.GetBoolean(0), reader.GetInt64(1));
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return registration;
    }

    /// <summary>Grid keys of the scene's chips that already carry an embedding of the model (to skip encoding them on resume).</summary>
    public async Task<IReadOnlySet<ChipKey>> GetStoredChipKeysAsync(long sceneId, ModelInfo model, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"""
            SELECT c.level, c.col, c."row" FROM chips c JOIN embeddings e ON e.chip_id = c.id AND e.cell = c.cell AND e.model_id = {model.Id}
            WHERE c.scene_id = @scene
            """, conn);
        cmd.Parameters.AddWithValue("scene", sceneId);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var keys = new HashSet<ChipKey>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) keys.Add(new ChipKey(reader.GetInt16(0), reader.GetInt32(1), reader.GetInt32(2)));
        return keys;
    }

    /// <summary>
    /// Stores a batch of chips of one scene with their embeddings in one transaction: binary COPY into a
    /// temporary table, then INSERT ... ON CONFLICT DO NOTHING into chips and embeddings. A batch that
    /// was (partly) stored before adds only what is missing, so a crash at any moment followed by a re-run
    /// leaves every chip and embedding exactly once.
    /// </summary>
    public async Task<BatchWriteResult> WriteChipsAsync(long sceneId, ModelInfo model, IReadOnlyList<ChipEmbedding> batch, CancellationToken ct = default)
    {
        if (batch.Count == 0) return default;
        foreach (var item in batch)
        {
            if (item.Embedding.Length != model.Dimension)
                throw new InputException($"chip {item.Chip.Level}/{item.Chip.Col}/{item.Chip.Row}: embedding has {item.Embedding.Length} values, model '{model.Name}' has {model.Dimension}");
            foreach (var v in item.Embedding)
                if (!float.IsFinite(v)) throw new InputException($"chip {item.Chip.Level}/{item.Chip.Col}/{item.Chip.Row}: embedding contains NaN or infinity");
        }

        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var create = new NpgsqlCommand($"""
            CREATE TEMP TABLE rsgeo_chip_batch (
                level smallint, col integer, "row" integer, px_x integer, px_y integer, px_width integer, px_height integer,
                footprint geometry, nodata_fraction real, embedding {model.VectorType}) ON COMMIT DROP
            """, conn, tx))
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);

        await using (var copy = await conn.BeginBinaryImportAsync("COPY rsgeo_chip_batch FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false))
        {
            foreach (var item in batch)
            {
                var c = item.Chip;
                await copy.StartRowAsync(ct).ConfigureAwait(false);
                await copy.WriteAsync(checked((short)c.Level), NpgsqlDbType.Smallint, ct).ConfigureAwait(false);
                await copy.WriteAsync(c.Col, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                await copy.WriteAsync(c.Row, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                await copy.WriteAsync(c.Window.X, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                await copy.WriteAsync(c.Window.Y, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                await copy.WriteAsync(c.Window.Width, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                await copy.WriteAsync(c.Window.Height, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                if (c.Footprint is { } footprint) await copy.WriteAsync<Geometry>(footprint, NpgsqlDbType.Geometry, ct).ConfigureAwait(false);
                else await copy.WriteNullAsync(ct).ConfigureAwait(false);
                await copy.WriteAsync((float)Math.Clamp(c.NodataFraction, 0, 1), NpgsqlDbType.Real, ct).ConfigureAwait(false);
                if (model.HalfPrecision) await copy.WriteAsync(ToHalf(item.Embedding), "halfvec", ct).ConfigureAwait(false);
                else await copy.WriteAsync(new Vector(item.Embedding), "vector", ct).ConfigureAwait(false);
            }
            await copy.CompleteAsync(ct).ConfigureAwait(false);
        }

        var sql = $"""
            WITH ins AS (
                INSERT INTO chips (scene_id, level, col, "row", px_x, px_y, px_width, px_height, footprint, acquired_at, nodata_fraction, cell)
                SELECT s.id, b.level, b.col, b."row", b.px_x, b.px_y, b.px_width, b.px_height,
                       ST_SetSRID(b.footprint, 4326), s.acquired_at, b.nodata_fraction, s.cell
                FROM rsgeo_chip_batch b CROSS JOIN scenes s
                WHERE s.id = @scene
                ON CONFLICT (scene_id, level, col, "row", cell) DO NOTHING
                RETURNING 1)
            SELECT count(*)::int FROM ins;
            WITH ins AS (
                INSERT INTO embeddings (model_id, chip_id, {model.Column}, cell)
                SELECT {model.Id}, c.id, b.embedding, c.cell
                FROM rsgeo_chip_batch b
                JOIN chips c ON c.scene_id = @scene AND c.level = b.level AND c.col = b.col AND c."row" = b."row"
                ON CONFLICT (model_id, chip_id, cell) DO NOTHING
                RETURNING 1),
            counted AS (
                UPDATE scene_models SET chip_count = chip_count + (SELECT count(*) FROM ins)
                WHERE scene_id = @scene AND model_id = {model.Id}
                RETURNING 1)
            SELECT (SELECT count(*)::int FROM ins), (SELECT count(*)::int FROM counted);
            """;
        int chips, embeddings, counted;
        await using (var cmd = new NpgsqlCommand(sql, conn, tx))
        {
            cmd.Parameters.AddWithValue("scene", sceneId);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            chips = reader.GetInt32(0);
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            embeddings = reader.GetInt32(0);
            counted = reader.GetInt32(1);
        }
        if (embeddings != batch.Count && chips == 0 && embeddings == 0)
        {
            // Either everything was stored before (a re-run), or the scene is unknown: tell them apart.
            await using var check = new NpgsqlCommand("SELECT 1 FROM scenes WHERE id = @scene", conn, tx);
            check.Parameters.AddWithValue("scene", sceneId);
            if (await check.ExecuteScalarAsync(ct).ConfigureAwait(false) is null)
                throw new InputException($"scene {sceneId} does not exist; call BeginSceneAsync first");
        }
        if (counted == 0)
            throw new InputException($"scene {sceneId} was not begun for model '{model.Name}'; call BeginSceneAsync first");
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return new BatchWriteResult(chips, embeddings);
    }

    /// <summary>
    /// Marks the scene as completely stored for the model. With <paramref name="expectedChips"/>, first
    /// checks that exactly that many embeddings are stored (throws <see cref="StoreException"/> otherwise).
    /// </summary>
    public async Task CompleteSceneAsync(long sceneId, ModelInfo model, long? expectedChips = null, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand($"""
            UPDATE scene_models SET completed_at = coalesce(completed_at, @now)
            WHERE scene_id = @scene AND model_id = {model.Id} AND (@expected::bigint IS NULL OR chip_count = @expected::bigint)
            RETURNING chip_count
            """, conn);
        cmd.Parameters.AddWithValue("scene", sceneId);
        cmd.Parameters.Add(new NpgsqlParameter("expected", NpgsqlDbType.Bigint) { Value = expectedChips is { } e ? e : DBNull.Value });
        // A value, not now(): Citus evaluates no volatile function inside COALESCE of an UPDATE (scene_models is a reference table there).
        cmd.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = DateTime.UtcNow });
        if (await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null) return;

        await using var probe = new NpgsqlCommand($"SELECT chip_count FROM scene_models WHERE scene_id = @scene AND model_id = {model.Id}", conn);
        probe.Parameters.AddWithValue("scene", sceneId);
        var stored = await probe.ExecuteScalarAsync(ct).ConfigureAwait(false);
        throw stored is long n
            ? new StoreException($"scene {sceneId} has {n} stored chips for model '{model.Name}', expected {expectedChips}; run the ingest again to store the missing ones")
            : new InputException($"scene {sceneId} was not begun for model '{model.Name}'; call BeginSceneAsync first");
    }

    /// <summary>Deletes a scene with its chips and embeddings. Returns false when no such scene exists.</summary>
    public async Task<bool> DeleteSceneAsync(long sceneId, CancellationToken ct = default)
    {
        await using var conn = await OpenAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand("DELETE FROM scenes WHERE id = @id", conn);
        cmd.Parameters.AddWithValue("id", sceneId);
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
    }

    private static HalfVector ToHalf(float[] v)
    {
        var half = new Half[v.Length];
        for (var i = 0; i < v.Length; i++) half[i] = (Half)v[i];
        return new HalfVector(half);
    }

    private static string NormalizeSha256(string sha)
    {
        var s = sha.Trim().ToLowerInvariant();
        if (s.Length != 64 || !s.All(char.IsAsciiHexDigit))
            throw new InputException($"'{sha}' is not a SHA-256 hex digest (64 hexadecimal characters)");
        return s;
    }
}
