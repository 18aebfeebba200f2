using System.Diagnostics;
using System.Threading.Channels;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Raster;
using RsGeoSearch.Store;

namespace RsGeoSearch.Pipeline.Ingest;

/// <summary>
/// rasters → tiler (GDAL) → image encoder (ONNX Runtime) → store (binary COPY), as three stages joined by
/// bounded queues so that reading, encoding and writing overlap. Idempotent and resumable: a scene already
/// complete for the model is skipped by content hash, and chips stored by an interrupted run are not read again;
/// the store writes each batch in one transaction, so every chip ends up stored exactly once.
/// </summary>
public sealed class IngestPipeline
{
    private readonly CatalogStore _store;
    private readonly Model _model;
    private readonly IngestOptions _options;

    public IngestPipeline(CatalogStore store, Model model, IngestOptions? options = null)
    {
        _store = store;
        _model = model;
        _options = options ?? new IngestOptions();
        if (_options.BatchSize < 1) throw new InputException("batch size must be at least 1");
        if (_options.WriteBatchSize < 1) throw new InputException("write batch size must be at least 1");
    }

    public async Task<IngestReport> RunAsync(IReadOnlyList<string> files, IProgress<IngestProgress>? progress = null, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var tiling = TilerOptions();
        ModelInfo modelInfo;
        try
        {
            modelInfo = await _store.Models.RegisterAsync(_model.Name, _model.Dimension, _model.Fingerprint, _options.HalfPrecision, ct).ConfigureAwait(false);
        }
        catch (ModelWeightsChangedException) when (_options.Reembed)
        {
            await _store.Models.DeleteAsync(_model.Name, ct).ConfigureAwait(false);
            modelInfo = await _store.Models.RegisterAsync(_model.Name, _model.Dimension, _model.Fingerprint, _options.HalfPrecision, ct).ConfigureAwait(false);
        }

        // Pre-pass: open every file once to count its chips (for the ETA) and to fail fast on unreadable files.
        var scenes = new List<SceneWork>();
        var failures = new List<FileOutcome>();
        foreach (var file in files)
        {
            try
            {
                using var dataset = OpenChecked(file, tiling);
                using var tiler = new Tiler(dataset, tiling with { ReadPixels = false });
                var cells = tiling.Levels.Sum(l => { var (c, r) = tiler.GridSize(l); return (long)c * r; });
                CheckGeometry(file, dataset, tiler, tiling, cells);
                scenes.Add(new SceneWork(file, cells));
            }
            catch (Exception e) when (IsFileProblem(e))
            {
                failures.Add(new FileOutcome(file, FileOutcomeKind.Failed, 0, 0, 0, Describe(file, e)));
            }
        }

        var total = scenes.Sum(s => s.Cells);
        long done = 0;
        var filesDone = failures.Count;
        void Report(string? current) =>
            progress?.Report(new IngestProgress(Interlocked.Read(ref done), total, filesDone, files.Count, current));
        Report(null);

        var bulk = await PrepareIndexAsync(modelInfo, total, ct).ConfigureAwait(false);
        var toEncode = Channel.CreateBounded<Work>(_options.QueueCapacity);
        var toWrite = Channel.CreateBounded<Work>(_options.QueueCapacity);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = linked.Token;

        // Readers: one GDAL dataset per scene and per thread; scenes are taken in order by as many readers as there are
        // cores, so tiling (GDAL decoding, resampling) keeps up with the encoder.
        var readers = Math.Clamp(_options.Readers ?? Environment.ProcessorCount, 1, Math.Max(1, scenes.Count));
        var nextScene = -1;
        var readerTasks = Enumerable.Range(0, readers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref nextScene)) < scenes.Count)
            {
                Report(scenes[i].Path);
                await ReadSceneAsync(scenes[i], tiling, modelInfo, toEncode.Writer, skipped => Interlocked.Add(ref done, skipped), token).ConfigureAwait(false);
            }
        }, token)).ToArray();
        var reader = Task.Run(async () =>
        {
            try
            {
                await Task.WhenAll(readerTasks).ConfigureAwait(false);
                toEncode.Writer.Complete();
            }
            catch (Exception e)
            {
                toEncode.Writer.Complete(e);
                throw;
            }
        }, token);

        var encoder = Task.Run(async () =>
        {
            try
            {
                await foreach (var work in toEncode.Reader.ReadAllAsync(token).ConfigureAwait(false))
                {
                    if (work.Chips is { } chips)
                    {
                        var vectors = _model.EncodeImages(chips.Select(c => c.Image!).ToArray());
                        var batch = new ChipEmbedding[chips.Count];
                        for (var i = 0; i < chips.Count; i++) batch[i] = new ChipEmbedding(chips[i] with { Image = null }, vectors[i]);
                        work.Encoded = batch;
                    }
                    await toWrite.Writer.WriteAsync(work, token).ConfigureAwait(false);
                }
                toWrite.Writer.Complete();
            }
            catch (Exception e)
            {
                toWrite.Writer.Complete(e);
                throw;
            }
        }, token);

        // The writer gathers each scene's encoded batches into write batches of WriteBatchSize chips: one transaction
        // (temp table, COPY, two inserts, commit) per write batch instead of per encoder batch. Readers interleave
        // scenes, so chips wait per scene; a scene's chips are all flushed before its end is recorded.
        var writer = Task.Run(async () =>
        {
            var pending = new Dictionary<SceneWork, List<ChipEmbedding>>();
            async Task FlushAsync(SceneWork scene)
            {
                if (!pending.Remove(scene, out var chips) || chips.Count == 0) return;
                var result = await _store.Ingest.WriteChipsAsync(scene.SceneId, modelInfo, chips, token).ConfigureAwait(false);
                scene.Written += result.EmbeddingsInserted;
                Interlocked.Add(ref done, (long)chips.Count);
                Report(scene.Path);
            }
            await foreach (var work in toWrite.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                var scene = work.Scene;
                if (work.Encoded is { } batch)
                {
                    if (!pending.TryGetValue(scene, out var chips)) pending[scene] = chips = new List<ChipEmbedding>(_options.WriteBatchSize);
                    chips.AddRange(batch);
                    if (chips.Count >= _options.WriteBatchSize) await FlushAsync(scene).ConfigureAwait(false);
                }
                else if (work.SceneEnd)
                {
                    await FlushAsync(scene).ConfigureAwait(false);
                    if (!scene.AlreadyComplete && scene.Failure is null)
                        await _store.Ingest.CompleteSceneAsync(scene.SceneId, modelInfo, scene.ChipsInScene, token).ConfigureAwait(false);
                    Interlocked.Increment(ref filesDone);
                    Report(null);
                }
            }
            foreach (var scene in pending.Keys.ToList()) await FlushAsync(scene).ConfigureAwait(false);
        }, token);

        // A stage that fails cancels the others: they may wait on a bounded queue that the failed stage no longer
        // drains (a writer that lost the database left the encoder blocked forever, and the run hung).
        async Task CancelOthersOnFailure(Task stage)
        {
            try
            {
                await stage.ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await linked.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }
        try
        {
            // The failed stage's exception surfaces (the others end cancelled, which Task.WhenAll ranks below a fault).
            await Task.WhenAll(new[] { reader, encoder, writer }.Select(CancelOthersOnFailure)).ConfigureAwait(false);
        }
        catch
        {
            await linked.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (bulk) await _store.Models.FinishBulkLoadAsync(modelInfo, CancellationToken.None).ConfigureAwait(false);
        }
        await _store.Models.EnsureVectorIndexAsync(modelInfo, ct).ConfigureAwait(false);

        var outcomes = new List<FileOutcome>(failures);
        foreach (var s in scenes)
        {
            outcomes.Add(s switch
            {
                { Failure: { } message } => new FileOutcome(s.Path, FileOutcomeKind.Failed, s.SceneId, s.Written, s.ChipsInScene, message),
                { AlreadyComplete: true } => new FileOutcome(s.Path, FileOutcomeKind.Skipped, s.SceneId, 0, s.ChipsInScene, "already ingested with this model (same content)"),
                _ => new FileOutcome(s.Path, FileOutcomeKind.Ingested, s.SceneId, s.Written, s.ChipsInScene, null),
            });
        }
        var order = files.Select((f, i) => (f, i)).GroupBy(p => p.f).ToDictionary(g => g.Key, g => g.First().i);
        outcomes.Sort((a, b) => order[a.Path].CompareTo(order[b.Path]));
        return new IngestReport(_model.Name, outcomes, clock.Elapsed);
    }

    /// <summary>
    /// Before the load: the store drops the model's HNSW index for a large load (its rule), and the pipeline also
    /// drops it while the model has no embedding yet — building the graph once after the bulk load costs less than
    /// inserting every row into it, and an empty model has no searches to serve meanwhile. Returns true when the
    /// index must be rebuilt after the load (FinishBulkLoadAsync).
    /// </summary>
    private async Task<bool> PrepareIndexAsync(ModelInfo model, long newChips, CancellationToken ct)
    {
        if (await _store.Models.PrepareBulkLoadAsync(model, newChips, ct).ConfigureAwait(false)) return true;
        if (newChips == 0 || await _store.Models.CountEmbeddingsAsync(model, ct).ConfigureAwait(false) > 0) return false;
        if (!await _store.Models.HasVectorIndexAsync(model, ct).ConfigureAwait(false)) return false;
        await _store.Models.DropVectorIndexAsync(model, ct).ConfigureAwait(false);
        return true;
    }

    private async Task ReadSceneAsync(SceneWork scene, TilerOptions tiling, ModelInfo modelInfo, ChannelWriter<Work> output,
        Action<long> skipped, CancellationToken ct)
    {
        long produced = 0;
        try
        {
            using var dataset = OpenChecked(scene.Path, tiling);
            var described = dataset.Describe(_options.Acquired);
            var grid = new SceneGrid(tiling.ChipSize, tiling.EffectiveStride, tiling.Levels);
            SceneRegistration registration;
            try
            {
                registration = await _store.Ingest.BeginSceneAsync(described, modelInfo, grid, ct).ConfigureAwait(false);
            }
            catch (SceneGridMismatchException mismatch) when (_options.Retile)
            {
                await _store.Ingest.DeleteSceneAsync(mismatch.SceneId, ct).ConfigureAwait(false);
                registration = await _store.Ingest.BeginSceneAsync(described, modelInfo, grid, ct).ConfigureAwait(false);
            }
            scene.SceneId = registration.SceneId;
            if (registration.Completed)
            {
                scene.AlreadyComplete = true;
                scene.ChipsInScene = registration.StoredChips;
                skipped(scene.Cells);
                await output.WriteAsync(new Work(scene) { SceneEnd = true }, ct).ConfigureAwait(false);
                return;
            }
            var stored = await _store.Ingest.GetStoredChipKeysAsync(registration.SceneId, modelInfo, ct).ConfigureAwait(false);
            using var tiler = new Tiler(dataset, tiling);
            var batch = new List<Chip>(_options.BatchSize);
            long kept = stored.Count;
            foreach (var level in tiling.Levels)
            {
                var (cols, rows) = tiler.GridSize(level);
                for (var row = 0; row < rows; row++)
                for (var col = 0; col < cols; col++)
                {
                    ct.ThrowIfCancellationRequested();
                    if (stored.Contains(new ChipKey(level, col, row)) || tiler.TryRead(level, col, row) is not { } chip)
                    {
                        skipped(1);
                        produced++;
                        continue;
                    }
                    batch.Add(chip);
                    kept++;
                    produced++;
                    if (batch.Count == _options.BatchSize)
                    {
                        await output.WriteAsync(new Work(scene) { Chips = batch }, ct).ConfigureAwait(false);
                        batch = new List<Chip>(_options.BatchSize);
                    }
                }
            }
            if (batch.Count > 0) await output.WriteAsync(new Work(scene) { Chips = batch }, ct).ConfigureAwait(false);
            scene.ChipsInScene = kept;
            await output.WriteAsync(new Work(scene) { SceneEnd = true }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsFileProblem(e))
        {
            scene.Failure = Describe(scene.Path, e) + (scene.SceneId > 0 ? " (chips stored so far are kept; a re-run resumes)" : "");
            skipped(Math.Max(0L, scene.Cells - produced));
            await output.WriteAsync(new Work(scene) { SceneEnd = true }, ct).ConfigureAwait(false);
        }
    }

    private TilerOptions TilerOptions() => new TilerOptions
    {
        ChipSize = _options.ChipSize,
        Stride = _options.Stride,
        Levels = _options.Levels,
        OutputSize = _model.Preprocessing.Size,
        Resampling = Preprocessing.ResamplingFor(_model),
        MaxNodataFraction = _options.MaxNodataFraction,
        Edges = _options.Edges,
        Bands = _options.Bands,
        AllowUngeoreferenced = _options.AllowUngeoreferenced,
    }.Validated();

    private static RasterDataset OpenChecked(string path, TilerOptions tiling)
    {
        var dataset = RasterDataset.Open(path);
        if (!dataset.IsGeoreferenced && !tiling.AllowUngeoreferenced)
        {
            dataset.Dispose();
            throw new InputException($"{path} has no georeferencing (no geotransform or CRS), so its chips would have no place on the map; " +
                                     "add a world file or .aux.xml, or pass --allow-ungeoreferenced to index it by pixel windows only");
        }
        return dataset;
    }

    /// <summary>
    /// Refuses rasters that would be stored with a meaningless place or give no chip at all, before anything is
    /// written: a degenerate geotransform (zero pixel size), a footprint outside ±180/±90 degrees, or a raster so
    /// small that every chip would be mostly padding (or, with edges skipped, no chip fits).
    /// </summary>
    private static void CheckGeometry(string path, RasterDataset dataset, Tiler tiler, TilerOptions tiling, long cells)
    {
        if (dataset.GeoTransform is { } gt && dataset.IsGeoreferenced)
        {
            var det = gt.PixelWidth * gt.PixelHeight - gt.RowRotation * gt.ColumnRotation;
            if (!double.IsFinite(det) || det == 0 || gt.ToArray().Any(v => !double.IsFinite(v)))
                throw new InputException($"{path} has a degenerate geotransform (pixel size {gt.PixelWidth} x {gt.PixelHeight}): its pixels have no area on the map; fix its georeferencing");
            if (tiler.Footprints is { } footprints)
            {
                const double tolerance = 0.01;
                var e = footprints.Wgs84(new PixelWindow(0, 0, dataset.Width, dataset.Height)).EnvelopeInternal;
                if (e.MinX < -180 - tolerance || e.MaxX > 180 + tolerance || e.MinY < -90 - tolerance || e.MaxY > 90 + tolerance)
                    throw new InputException($"{path} lies outside the world: its footprint in EPSG:4326 spans {e.MinX:0.###}..{e.MaxX:0.###} E, {e.MinY:0.###}..{e.MaxY:0.###} N " +
                                             "(beyond ±180/±90); check its CRS and geotransform");
            }
        }
        if (cells == 0)
            throw new InputException($"{path} is {dataset.Width}x{dataset.Height} pixels, smaller than one {tiling.ChipSize}-pixel chip, and edges are skipped: it gives no chip; use a smaller --chip-size or --edges pad");
        var level = tiling.Levels.Min();
        var span = tiler.Span(level);
        var covered = (double)Math.Min(dataset.Width, span) * Math.Min(dataset.Height, span) / ((double)span * span);
        if (1 - covered > tiling.MaxNodataFraction)
            throw new InputException($"{path} is {dataset.Width}x{dataset.Height} pixels: every {span}-pixel chip would be more than {tiling.MaxNodataFraction:P0} padding, " +
                                     "so it gives no chip; use a smaller --chip-size or a larger --max-nodata");
    }

    /// <summary>Problems of one input file (the run goes on with the next file); anything else stops the run.</summary>
    private static bool IsFileProblem(Exception e) => e is InputException or RasterException or IOException or UnauthorizedAccessException;

    private static string Describe(string path, Exception e) => e.Message.Contains(path, StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}";

    private sealed class SceneWork(string path, long cells)
    {
        public string Path { get; } = path;
        public long Cells { get; } = cells;
        public long SceneId { get; set; }
        public long ChipsInScene { get; set; }
        public long Written { get; set; }
        public bool AlreadyComplete { get; set; }
        public string? Failure { get; set; }
    }

    private sealed class Work(SceneWork scene)
    {
        public SceneWork Scene { get; } = scene;
        public List<Chip>? Chips { get; init; }
        public ChipEmbedding[]? Encoded { get; set; }
        public bool SceneEnd { get; init; }
    }
}
