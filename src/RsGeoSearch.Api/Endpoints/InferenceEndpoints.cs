using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RsGeoSearch.Api.Http;
using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Endpoints;

/// <summary>
/// POST /classify (image + labels [+ template]), /similarity (image + texts), /embed (image): multipart/form-data,
/// image capped at <see cref="ApiOptions.MaxUploadBytes"/>, API key required when one is configured.
/// </summary>
internal static class InferenceEndpoints
{
    private const int MaxTexts = 200;
    private const int MaxTextLength = 300;

    public static void Map(IEndpointRouteBuilder app, ApiOptions options)
    {
        var writes = app.MapGroup("").AddEndpointFilter(new ApiKeyFilter(options.ApiKey));

        writes.MapPost("/classify", async (HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            new QueryReader(context.Request.Query).Only();
            var upload = await Upload.ReadAsync(context.Request, options.MaxUploadBytes, ct);
            var labels = Checked("labels", upload.Texts("labels", splitCommas: true), "labels=airport,farmland,forest");
            var template = upload.Text("template");
            if (template is not null && (!template.Contains("{}") || template.Length > MaxTextLength))
                throw new ParameterException("template", "template must contain {} where the label goes, e.g. 'a satellite photo of {}.'");
            var model = Model(upload, catalog);
            var scores = await catalog.ClassifyAsync(upload.Image, labels, template, model, ct);
            return Results.Json(new { model, labels = scores.Select(s => new { label = s.Label, score = s.Score, cosine = s.Cosine }) });
        });

        writes.MapPost("/similarity", async (HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            new QueryReader(context.Request.Query).Only();
            var upload = await Upload.ReadAsync(context.Request, options.MaxUploadBytes, ct);
            var texts = Checked("texts", upload.Texts("texts", splitCommas: false), "one 'texts' field per caption");
            var model = Model(upload, catalog);
            var scores = await catalog.SimilarityAsync(upload.Image, texts, model, ct);
            return Results.Json(new { model, texts = scores.Select(s => new { text = s.Label, score = s.Score, cosine = s.Cosine }) });
        });

        writes.MapPost("/embed", async (HttpContext context, IChipCatalog catalog, CancellationToken ct) =>
        {
            new QueryReader(context.Request.Query).Only();
            var upload = await Upload.ReadAsync(context.Request, options.MaxUploadBytes, ct);
            var model = Model(upload, catalog);
            var vector = await catalog.EmbedImageAsync(upload.Image, model, ct);
            return Results.Json(new { model, dimension = vector.Length, embedding = vector });
        });
    }

    private static IReadOnlyList<string> Checked(string field, IReadOnlyList<string> texts, string example)
    {
        if (texts.Count == 0) throw new ParameterException(field, $"no {field}: send at least one, e.g. {example}");
        if (texts.Count > MaxTexts) throw new ParameterException(field, $"{texts.Count} {field}; at most {MaxTexts}");
        var tooLong = texts.FirstOrDefault(t => t.Length > MaxTextLength);
        if (tooLong is not null) throw new ParameterException(field, $"'{tooLong[..40]}…' is longer than {MaxTextLength} characters");
        return texts;
    }

    /// <summary>The requested model name, or the catalogue's default; an unknown name is a 400.</summary>
    private static string? Model(Upload upload, IChipCatalog catalog)
    {
        var name = upload.Text("model");
        if (name is null) return catalog.Models.FirstOrDefault(m => m.IsDefault)?.Name;
        if (catalog.Models.Count > 0 && !catalog.Models.Any(m => m.Name == name))
            throw new ParameterException("model", $"unknown model '{(name.Length > 100 ? name[..100] : name)}'; available: {string.Join(", ", catalog.Models.Select(m => m.Name))}");
        return name;
    }
}
