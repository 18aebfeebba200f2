using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using Pgvector;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>
/// The ingest writer: <see cref="BeginSceneAsync"/> → <see cref="WriteChipsAsync"/> (any number of batches, each one
/// transaction: binary COPY into a temporary table, then INSERT ... ON CONFLICT DO NOTHING, exactly-once by chip key) →
/// <see cref="CompleteSceneAsync"/>; <see cref="DeleteSceneAsync"/> for a re-tile.
/// </summary>
public sealed class IngestWriter
{
    private readonly CatalogStore _store;

    internal IngestWriter(CatalogStore store) => _store = store;

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
        return await _store.RunAsync(async conn =>
        {
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
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Grid keys of the scene's chips that already carry an embedding of the model (to skip encoding them on resume).</summary>
    public async Task<IReadOnlySet<ChipKey>> GetStoredChipKeysAsync(long sceneId, ModelInfo model, CancellationToken ct = default)
    {
        return await _store.RunAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand($"""
                SELECT c.level, c.col, c."row" FROM chips c JOIN embeddings e ON e.chip_id = c.id AND e.cell = c.cell AND e.model_id = {model.Id}
                WHERE c.scene_id = @scene
                """, conn);
            cmd.Parameters.AddWithValue("scene", sceneId);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var keys = new HashSet<ChipKey>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) keys.Add(new ChipKey(reader.GetInt16(0), reader.GetInt32(1), reader.GetInt32(2)));
            return keys;
        }, ct).ConfigureAwait(false);
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

        return await _store.RunAsync(async conn =>
        {
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
        }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks the scene as completely stored for the model. With <paramref name="expectedChips"/>, first
    /// checks that exactly that many embeddings are stored (throws <see cref="StoreException"/> otherwise).
    /// </summary>
    public async Task CompleteSceneAsync(long sceneId, ModelInfo model, long? expectedChips = null, CancellationToken ct = default)
    {
        await _store.RunAsync(async conn =>
        {
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
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Deletes a scene with its chips and embeddings. Returns false when no such scene exists.</summary>
    public async Task<bool> DeleteSceneAsync(long sceneId, CancellationToken ct = default)
    {
        return await _store.RunAsync(async conn =>
        {
            await using var cmd = new NpgsqlCommand("DELETE FROM scenes WHERE id = @id", conn);
            cmd.Parameters.AddWithValue("id", sceneId);
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, ct).ConfigureAwait(false);
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
