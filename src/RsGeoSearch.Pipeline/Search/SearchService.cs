using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Inference.Models;
using RsGeoSearch.Pipeline.Changes;
using RsGeoSearch.Raster;
using RsGeoSearch.Store;

namespace RsGeoSearch.Pipeline.Search;

/// <summary>
/// The search service behind the HTTP API and the CLI: models (ONNX Runtime), the store (PostGIS + pgvector) and the
/// source rasters (GDAL, for thumbnails). A text query: <see cref="SearchAsync"/> embeds the text (through
/// <see cref="TextEmbeddings"/>), then one store call, <see cref="ChipQueries.SearchAsync"/>, returns the page of scored
/// chips with their details (and the count) over one connection. The store reports a database that is down as
/// <see cref="ServiceUnavailableException"/>.
/// </summary>
public sealed class SearchService : IChipCatalog, IAsyncDisposable
{
    private readonly bool _ownsStore;

    public SearchService(CatalogStore store, ModelCache models, bool ownsStore = false)
    {
        Store = store;
        ModelCache = models;
        _ownsStore = ownsStore;
    }

    public CatalogStore Store { get; }
    public ModelCache ModelCache { get; }

    /// <summary>Embeddings of query texts and negative terms, by model weights and text.</summary>
    public TextEmbeddingCache TextEmbeddings { get; } = new();

    public CacheStatistics? TextEmbeddingCache => TextEmbeddings.Statistics;

    /// <summary>The ready models on the search path, and the default model (loaded) even when it was given as a folder.</summary>
    public IReadOnlyList<ModelSummary> Models
    {
        get
        {
            var defaultModel = ModelCache.Get(null);
            var list = ModelCache.Registry.List()
                .Where(m => m.Status == ModelStatus.Ready && !m.Shadowed && m.Name != defaultModel.Name)
                .Select(m => new ModelSummary(m.Name, m.Family is { } f ? ModelManifest.ToName(f) : "unknown", m.EmbeddingDim ?? 0, false))
                .ToList();
            list.Insert(0, new ModelSummary(defaultModel.Name, ModelManifest.ToName(defaultModel.Family), defaultModel.Dimension, true));
            return list;
        }
    }

    public async Task<ChipPage> SearchAsync(CatalogQuery query, CancellationToken ct)
    {
        // CatalogQuery already holds only valid values (limits, ranges, texts, and no unlike/not/min_relevance/group
        // without a ranked search); what is left to check here needs the models or the store.
        var notTerms = query.Not;
        var model = ModelCache.Get(query.Model);
        if (!query.IsRanked)
        {
            var (chips, count) = await Store.Chips.ListAsync(new ChipFilter(model.Name, query.Bbox, query.Time, query.Where), query.Limit, query.Offset,
                query.SortBy, ct).ConfigureAwait(false);
            return new ChipPage(chips.Select(c => new ScoredChip(c, null)).ToList(), count, model.Name);
        }

        var hasText = !string.IsNullOrWhiteSpace(query.Text);
        if (hasText || query.Image is not null || notTerms is not null) await CheckSameWeightsAsync(model, ct).ConfigureAwait(false);
        var positives = new List<float[]>();
        if (hasText) positives.Add(TextEmbeddings.Get(model, [query.Text!.Trim()])[0]);
        if (query.Image is { } image) positives.Add(model.EncodeImage(Preprocessing.ReadImage(model, image, "uploaded image")));
        var notVectors = notTerms is null ? [] : TextEmbeddings.Get(model, notTerms);
        var like = query.Like ?? [];
        var unlike = query.Unlike ?? [];
        var examples = like.Concat(unlike).Distinct().ToArray();
        float[][] disliked = [];
        if (examples.Length > 0)
        {
            var stored = await Store.Chips.GetEmbeddingsAsync(model.Name, examples, ct).ConfigureAwait(false);
            var missing = examples.Where(id => !stored.ContainsKey(id)).ToArray();
            if (missing.Length > 0)
                throw new NotFoundException($"chip(s) {string.Join(',', missing)} have no embedding for model '{model.Name}'; check the ids (GET /chips/{{id}})");
            positives.AddRange(like.Select(id => stored[id]));
            disliked = unlike.Select(id => stored[id]).ToArray();
        }
        return await RankAsync(model, QueryVector.Combine(model.Dimension, positives, disliked, notVectors), query, examples, ct).ConfigureAwait(false);
    }

    /// <summary>At most this many of the best chips are examined for a relevance threshold that needs their embeddings, or for places.</summary>
    public const int MaxExamined = 2000;

    private async Task<ChipPage> RankAsync(Model model, float[] vector, CatalogQuery query, IReadOnlyList<long> exclude, CancellationToken ct)
    {
        var relevance = Relevance.For(model, vector, query.Text);
        var hasText = !string.IsNullOrWhiteSpace(query.Text);
        if (query.MinRelevance is not null && relevance is null)
            throw new InputException($"min_relevance: model '{model.Name}' has no relevance calibration; compute one with `rsgeo eval calibrate FOLDER --model {model.Name} --write`");
        // Text queries get the default threshold; image and example queries only the one the client names.
        var minRelevance = query.MinRelevance ?? (hasText && relevance is not null ? Relevance.DefaultMinRelevance : null);
        var minScore = query.MinScore;
        if (minRelevance is { } r && relevance is { NeedsEmbeddings: false }) minScore = Math.Max(minScore ?? -2, relevance.MinScore(r));
        var search = new SearchQuery(model.Name, vector, query.Bbox, query.Time, query.Limit, query.Offset, minScore,
            exclude.Count > 0 ? exclude : null, query.Where); // the store's SearchAsync validates it
        var places = query.Group == SearchGrouping.Place;
        // A calibrated cosine model needs each hit's embedding for its relevance: the store returns them with the page.
        var extras = relevance is { NeedsEmbeddings: true } ? SearchExtras.Embeddings : SearchExtras.None;
        var postFilter = minRelevance is not null && relevance is { NeedsEmbeddings: true };

        IReadOnlyList<ScoredChip> items;
        long count;
        SearchResult last;
        if (!places && !postFilter)
        {
            // Relevance, if any, follows the score: the store filters, pages and counts exactly, in one call.
            last = await Store.Chips.SearchAsync(search, SearchPlan.Auto, extras | SearchExtras.Count, ct).ConfigureAwait(false);
            count = last.Count!.Value;
            items = Score(last, relevance);
        }
        else
        {
            // Walk the best chips in widening windows, keep the relevant ones (grouped into places when asked) until
            // one more than offset + limit are found or the matches (or MaxExamined) run out.
            var wanted = query.Offset + query.Limit;
            var cap = Math.Min(SearchQuery.MaxLimit, Math.Max(MaxExamined, wanted * 4));
            var window = Math.Min(cap, Math.Max(50, wanted * 2));
            List<ScoredChip> units;
            while (true)
            {
                last = await Store.Chips.SearchAsync(search with { Offset = 0, Limit = window }, SearchPlan.Auto, extras, ct).ConfigureAwait(false);
                var exhausted = last.Hits.Count < window;
                var scored = Score(last, relevance).Where(x => minRelevance is not { } min || x.Relevance >= min);
                units = places ? PlaceGrouping.Group(scored, x => x.Chip) : scored.ToList();
                if (units.Count > wanted || exhausted || window >= cap) break;
                window = Math.Min(cap, window * 4);
            }
            // All matches walked: the count is exact; otherwise it is a lower bound (more may follow).
            count = units.Count;
            var page = units.Skip(query.Offset).Take(query.Limit).ToList();
            if (places)
            {
                var others = await PlaceGrouping.OtherDatesAsync(Store, search, page.Select(p => p.ChipId).ToArray(), relevance, ct).ConfigureAwait(false);
                page = page.Select(p => p with { OtherDates = others[p.ChipId].ToList() }).ToList();
            }
            items = page;
        }

        double? recall = null;
        string? recallClass = null;
        if (last.Plan == SearchPlan.Index)
        {
            var index = (await Store.Models.GetAsync(search.Model, ct).ConfigureAwait(false)).VectorIndex;
            (recall, recallClass) = SearchRecall.For(query.Bbox, query.Time, last.EstimatedCandidates, Store.Options, index);
        }
        var info = new SearchInfo(last.Plan == SearchPlan.Index ? "approximate" : "exact", recall, recallClass, minRelevance, places ? "place" : "chip");
        if (items.Count == 0 && query.Offset == 0 && minRelevance is not null && relevance is not null)
        {
            // Nothing passed the threshold: say so, and how close the best chip came.
            var best = await Store.Chips.SearchAsync(search with { Limit = 1, Offset = 0, MinScore = null }, SearchPlan.Auto, extras, ct).ConfigureAwait(false);
            var what = hasText ? $"'{query.Text!.Trim()}'" : "the query";
            if (best.Hits.Count > 0)
            {
                var closest = Score(best, relevance)[0];
                info = info with
                {
                    Message = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"no chip matches {what} with confidence; closest score {closest.Score:F3} (relevance {closest.Relevance:F3}, below min_relevance {minRelevance:F2})"),
                    ClosestScore = closest.Score,
                    ClosestRelevance = closest.Relevance,
                };
            }
            else info = info with { Message = $"no chip matches {what}: the filter leaves no chips" };
        }
        return new ChipPage(items, count, model.Name, info);
    }

    /// <summary>Each hit with its relevance (null without a calibration; a calibration that needs the hit's embedding finds it in the result).</summary>
    private static List<ScoredChip> Score(SearchResult result, QueryRelevance? relevance) =>
        relevance is null
            ? result.Hits.ToList()
            : result.Hits.Where(h => !relevance.NeedsEmbeddings || result.Embeddings!.ContainsKey(h.ChipId))
                .Select(h => h with { Relevance = relevance.Probability(h.Score!.Value, result.Embeddings?.GetValueOrDefault(h.ChipId)) }).ToList();

    public Task<ChipRecord?> GetChipAsync(long id, CancellationToken ct) => Store.Chips.GetAsync(id, ct);

    public Task<(IReadOnlyList<SceneRecord> Items, long NumberMatched)> ListScenesAsync(BoundingBox? bbox, TimeRange time, int limit, int offset, CancellationToken ct,
        Core.Filtering.FilterNode? where = null, IReadOnlyList<Core.Filtering.SortClause>? sortBy = null) =>
        Store.Scenes.ListAsync(bbox, time, limit, offset, ct, where, sortBy);

    public Task<SceneRecord?> GetSceneAsync(long id, CancellationToken ct) => Store.Scenes.GetAsync(id, ct);

    public Task<CatalogExtent> GetExtentAsync(CancellationToken ct) => Store.Scenes.GetExtentAsync(null, ct);

    public async Task<byte[]> RenderChipPngAsync(long chipId, int size, CancellationToken ct)
    {
        var chip = await GetChipAsync(chipId, ct).ConfigureAwait(false) ?? throw new NotFoundException($"chip {chipId} does not exist");
        // The path comes from the catalogue (written at ingest), never from the request.
        if (!File.Exists(chip.SceneUri))
            throw new NotFoundException($"the source raster of chip {chipId} is no longer at {Path.GetFileName(chip.SceneUri)}; re-ingest it");
        return await Task.Run(() =>
        {
            using var dataset = RasterDataset.Open(chip.SceneUri);
            return Thumbnailer.Render(dataset, chip.Window, size);
        }, ct).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<LabelScore>> ClassifyAsync(byte[] image, IReadOnlyList<string> labels, string? template, string? model, CancellationToken ct)
    {
        var clean = CleanTexts(labels, "labels");
        if (template is not null && !template.Contains("{}", StringComparison.Ordinal))
            throw new InputException($"template '{template}' must contain {{}} where the label goes, e.g. \"an aerial image of {{}}\"");
        var m = ModelCache.Get(model);
        return Task.Run(() =>
        {
            var embedding = m.EncodeImage(Preprocessing.ReadImage(m, image, "uploaded image"));
            var templates = template is not null ? [template] : m.PromptTemplates;
            return Rank(m, embedding, clean, m.EncodeLabels(clean, templates));
        }, ct);
    }

    public Task<IReadOnlyList<LabelScore>> SimilarityAsync(byte[] image, IReadOnlyList<string> texts, string? model, CancellationToken ct)
    {
        var clean = CleanTexts(texts, "texts");
        var m = ModelCache.Get(model);
        return Task.Run(() =>
        {
            var embedding = m.EncodeImage(Preprocessing.ReadImage(m, image, "uploaded image"));
            return Rank(m, embedding, clean, m.EncodeTexts(clean));
        }, ct);
    }

    public Task<float[]> EmbedImageAsync(byte[] image, string? model, CancellationToken ct)
    {
        var m = ModelCache.Get(model);
        return Task.Run(() => m.EncodeImage(Preprocessing.ReadImage(m, image, "uploaded image")), ct);
    }

    public async Task<ChangeResult> ChangesAsync(ChangeQuery query, CancellationToken ct)
    {
        var model = ModelCache.Get(query.Model);
        if (query.IsTextGuided) await CheckSameWeightsAsync(model, ct).ConfigureAwait(false);
        return await new ChangeDetector(Store).DetectAsync(query, model, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A text or image query is embedded by the model folder's weights: refuse it when the catalogue's embeddings
    /// of that model name were made by other weights (their cosines would mean nothing).
    /// </summary>
    private async Task CheckSameWeightsAsync(Model model, CancellationToken ct)
    {
        var stored = await Store.Models.TryGetAsync(model.Name, ct).ConfigureAwait(false);
        if (stored is not null && stored.Fingerprint != model.Fingerprint)
            throw new ModelWeightsChangedException(model.Name, stored.Fingerprint, model.Fingerprint);
    }

    public Task<CatalogHealth> CheckHealthAsync(CancellationToken ct) => Store.CheckHealthAsync(ct);

    /// <summary>Scores texts for an image embedding with the model's rule (softmax or sigmoid), best first.</summary>
    public static IReadOnlyList<LabelScore> Rank(Model model, float[] imageEmbedding, IReadOnlyList<string> texts, IReadOnlyList<float[]> textEmbeddings)
    {
        var cosines = Similarity.Cosines(imageEmbedding, textEmbeddings);
        var probabilities = Similarity.Probabilities(model.Scoring, cosines);
        return texts.Select((t, i) => new LabelScore(t, probabilities[i], cosines[i]))
            .OrderByDescending(s => s.Score).ThenBy(s => s.Label, StringComparer.Ordinal).ToList();
    }

    private static string[] CleanTexts(IReadOnlyList<string> texts, string what)
    {
        var clean = texts.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (clean.Length == 0) throw new InputException($"{what}: give at least one non-empty text");
        if (clean.Length > 1000) throw new InputException($"{what}: at most 1000 texts, got {clean.Length}");
        if (clean.FirstOrDefault(t => t.Length > 1000) is { } longText)
            throw new InputException($"{what}: '{longText[..40]}…' is longer than 1000 characters");
        return clean;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsStore) await Store.DisposeAsync().ConfigureAwait(false);
    }
}
