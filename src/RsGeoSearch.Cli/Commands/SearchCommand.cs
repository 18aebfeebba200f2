using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RsGeoSearch.Core;
using RsGeoSearch.Core.Features;
using RsGeoSearch.Core.Filtering;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Search;
using Spectre.Console;

namespace RsGeoSearch.Cli.Commands;

/// <summary><c>rsgeo search "text"</c>: chips ranked by similarity to text, an image or example chips, inside a box and a time range.</summary>
internal static class SearchCommand
{
    public static Command Create()
    {
        var text = new Argument<string?>("text") { Description = "What to look for, in plain language", Arity = ArgumentArity.ZeroOrOne };
        var bbox = new Option<string?>("--bbox") { Description = "minx,miny,maxx,maxy in degrees (EPSG:4326)" };
        var from = new Option<string?>("--from") { Description = "Earliest acquisition date (2019-01-01 or RFC 3339)" };
        var to = new Option<string?>("--to") { Description = "Latest acquisition date (a bare date includes that whole day)" };
        var limit = new Option<int>("--limit", "-k") { Description = "Number of results", DefaultValueFactory = _ => 10 };
        var offset = new Option<int>("--offset") { Description = "Skip this many results (paging)" };
        var minScore = new Option<double?>("--min-score") { Description = "Only results with at least this cosine similarity" };
        var image = new Option<string?>("--image") { Description = "Search by an image file instead of (or with) text" };
        var like = new Option<string?>("--like") { Description = "Chip ids to find more of (comma-separated)" };
        var unlike = new Option<string?>("--unlike") { Description = "Chip ids to push away from (comma-separated; needs text, --image or --like)" };
        var not = new Option<string?>("--not") { Description = "Terms to push the ranking away from, comma-separated (e.g. clouds,haze; needs text, --image or --like)" };
        var minRelevance = new Option<double?>("--min-relevance") { Description = $"Only results whose calibrated relevance (0..1) reaches this (default for text queries: {CatalogQuery.DefaultMinRelevance})" };
        var group = new Option<string>("--group") { Description = "chip (one result per chip) or place (the best chip of each place, with its other dates)", DefaultValueFactory = _ => "chip" };
        var format = new Option<string>("--format") { Description = "table, json or geojson", DefaultValueFactory = _ => "table" };
        var connection = new DbCommand.ConnectionOptions();
        var model = new ModelsCommand.ModelOptions();
        var command = new Command("search", "Find chips by text, image or example chips within a bounding box and a time range")
        {
            text, bbox, from, to, limit, offset, minScore, image, like, unlike, not, minRelevance, group, format,
        };
        connection.AddTo(command);
        model.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("search", async () =>
        {
            var fmt = parseResult.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("table" or "json" or "geojson")) throw new InputException($"--format '{fmt}' must be table, json or geojson");
            var imagePath = parseResult.GetValue(image);
            if (imagePath is not null && !File.Exists(imagePath)) throw new InputException($"--image {imagePath}: no such file");
            var imageBytes = imagePath is null ? null : await File.ReadAllBytesAsync(imagePath, ct);
            var query = CommandRunner.WithOptionNames(() => new CatalogQuery(
                Text: parseResult.GetValue(text),
                Image: imageBytes,
                Like: CommandRunner.ParseIds(parseResult.GetValue(like), "--like"),
                Unlike: CommandRunner.ParseIds(parseResult.GetValue(unlike), "--unlike"),
                Bbox: parseResult.GetValue(bbox) is { } b ? BoundingBox.Parse(b) : null,
                Time: TimeRange.FromEnds(parseResult.GetValue(from), parseResult.GetValue(to), "--from", "--to"),
                Limit: parseResult.GetValue(limit),
                Offset: parseResult.GetValue(offset),
                MinScore: parseResult.GetValue(minScore),
                Model: parseResult.GetValue(model.Model),
                Not: parseResult.GetValue(not) is { } n ? n.Split(',').ToList() : null,
                MinRelevance: parseResult.GetValue(minRelevance),
                Group: parseResult.GetValue(group) switch
                {
                    "chip" => SearchGrouping.Chip,
                    "place" => SearchGrouping.Place,
                    var g => throw new InputException($"--group '{g}' must be chip or place"),
                }));
            if (query.Text is { } q && string.IsNullOrWhiteSpace(q)) throw new InputException("the text query is empty");
            if (!query.IsRanked) throw new InputException("give a text query, --image FILE or --like CHIP_IDS");
            using var models = new ModelCache(Inference.ModelRegistry.Default(), query.Model, model.Settings(parseResult));
            await using var store = await connection.OpenStoreAsync(parseResult, ct);
            await using var catalog = new SearchService(store, models);
            var page = await catalog.SearchAsync(query, ct);
            Print(page, fmt);
            return 0;
        }));
        return command;
    }

    public static void Print(ChipPage page, string format)
    {
        switch (format)
        {
            case "json":
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    model = page.Model,
                    number_matched = page.NumberMatched,
                    plan = page.Search?.Plan,
                    recall = page.Search?.Recall,
                    min_relevance = page.Search?.MinRelevance,
                    group = page.Search?.Grouping,
                    message = page.Search?.Message,
                    results = page.Items.Select(i => new
                    {
                        chip_id = i.Chip.Id,
                        score = i.Score,
                        relevance = i.Relevance,
                        other_dates = i.OtherDates?.Select(o => new { chip_id = o.ChipId, acquired = o.AcquiredAt, score = o.Score, relevance = o.Relevance }),
                        acquired = i.Chip.AcquiredAt,
                        scene_id = i.Chip.SceneId,
                        scene = i.Chip.SceneUri,
                        level = i.Chip.Level,
                        window = new[] { i.Chip.Window.X, i.Chip.Window.Y, i.Chip.Window.Width, i.Chip.Window.Height },
                        footprint_wkt = i.Chip.Footprint?.AsText(),
                    }),
                }, new JsonSerializerOptions { WriteIndented = true }));
                break;
            case "geojson":
                Console.WriteLine(FeatureJson.Collection(FeatureSchema.ChipType, page.Items, page.NumberMatched, "", ranked: true));
                break;
            default:
                var grouped = page.Items.Any(i => i.OtherDates is not null);
                var table = new Table().AddColumns("chip", "score", "relevance", "acquired", "scene", "level", "window", "centre (lon, lat)");
                if (grouped) table.AddColumn("other dates (score)");
                foreach (var i in page.Items)
                {
                    var c = i.Chip.Footprint?.Centroid;
                    var cells = new List<string>
                    {
                        i.Chip.Id.ToString(CultureInfo.InvariantCulture),
                        i.Score?.ToString("F4", CultureInfo.InvariantCulture) ?? "",
                        i.Relevance?.ToString("F3", CultureInfo.InvariantCulture) ?? "",
                        i.Chip.AcquiredAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "unknown",
                        Markup.Escape(Path.GetFileName(i.Chip.SceneUri)),
                        i.Chip.Level.ToString(CultureInfo.InvariantCulture),
                        i.Chip.Window.ToString(),
                        c is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{c.X:F5}, {c.Y:F5}"),
                    };
                    if (grouped)
                        cells.Add(string.Join(", ", (i.OtherDates ?? []).Select(o => string.Create(CultureInfo.InvariantCulture,
                            $"{o.AcquiredAt:yyyy-MM-dd} ({o.Score:F3})"))));
                    table.AddRow(cells.ToArray());
                }
                if (page.Items.Count > 0) AnsiConsole.Write(table);
                if (page.Search?.Message is { } message) Console.WriteLine(message);
                var unit = page.Search?.Grouping == "place" ? "places" : "chips";
                var plan = page.Search is { } info
                    ? info.Plan == "approximate"
                        ? $"; approximate plan, measured recall {(info.Recall is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) : "unknown")}"
                        : "; exact plan"
                    : "";
                Console.WriteLine($"{page.Items.Count} of {page.NumberMatched} {unit} in the filter (model {page.Model}{plan})");
                break;
        }
    }
}
