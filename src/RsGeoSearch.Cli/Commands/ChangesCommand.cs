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

/// <summary>
/// <c>rsgeo changes --bbox ... --from DATE --to DATE</c>: places inside the box whose chips changed between two
/// acquisition dates, ranked by embedding change or by a text-described change.
/// </summary>
internal static class ChangesCommand
{
    public static Command Create()
    {
        var bbox = new Option<string>("--bbox") { Description = "minx,miny,maxx,maxy in degrees (EPSG:4326)", Required = true };
        var from = new Option<string?>("--from") { Description = "Earliest acquisition date to compare (2019-01-01 or RFC 3339; default: the first one)" };
        var to = new Option<string?>("--to") { Description = "Latest acquisition date to compare (a bare date includes that whole day; default: the last one)" };
        var fromQ = new Option<string?>("--from-q") { Description = "What the place showed before, e.g. \"farmland\"" };
        var toQ = new Option<string?>("--to-q") { Description = "What the place shows after, e.g. \"buildings\"" };
        var q = new Option<string?>("--q") { Description = "Rank places whose later chip moved towards this text, e.g. \"flooding\"" };
        var limit = new Option<int>("--limit", "-k") { Description = "Number of changes", DefaultValueFactory = _ => 20 };
        var offset = new Option<int>("--offset") { Description = "Skip this many of the best-ranked changes (paging)" };
        var iou = new Option<double>("--iou") { Description = "Least footprint intersection-over-union for two chips of other grids to count as one place", DefaultValueFactory = _ => ChangeQuery.DefaultMinIoU };
        var normalise = new Option<bool>("--normalise") { Description = "Divide each change by the place's typical change between successive dates (seasonal noise ranks lower)" };
        var pairs = new Option<string>("--pairs") { Description = "span (first vs last date of each place in the range) or consecutive (every two successive dates)", DefaultValueFactory = _ => "span" };
        var format = new Option<string>("--format") { Description = "table, json or geojson", DefaultValueFactory = _ => "table" };
        var connection = new DbCommand.ConnectionOptions();
        var model = new ModelsCommand.ModelOptions();
        var command = new Command("changes", "What changed between acquisition dates inside a bounding box: embedding change, or a change described in text")
        {
            bbox, from, to, fromQ, toQ, q, limit, offset, iou, normalise, pairs, format,
        };
        connection.AddTo(command);
        model.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("changes", async () =>
        {
            var fmt = parseResult.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("table" or "json" or "geojson")) throw new InputException($"--format '{fmt}' must be table, json or geojson");
            var query = new ChangeQuery(
                Bbox: BoundingBox.Parse(parseResult.GetValue(bbox)!),
                Time: ParseRange(parseResult.GetValue(from), parseResult.GetValue(to)),
                Text: NotBlank(parseResult.GetValue(q), "--q"),
                FromText: NotBlank(parseResult.GetValue(fromQ), "--from-q"),
                ToText: NotBlank(parseResult.GetValue(toQ), "--to-q"),
                Limit: parseResult.GetValue(limit),
                Offset: parseResult.GetValue(offset),
                MinIoU: parseResult.GetValue(iou),
                Normalise: parseResult.GetValue(normalise),
                Pairing: ParsePairing(parseResult.GetValue(pairs)!),
                Model: parseResult.GetValue(model.Model));
            using var models = new ModelCache(Inference.ModelRegistry.Default(), query.Model, model.Settings(parseResult));
            await using var store = await connection.OpenStoreAsync(parseResult, ct);
            await using var catalog = new SearchService(store, models);
            var result = await catalog.ChangesAsync(query, ct);
            Print(result, query, fmt);
            return 0;
        }));
        return command;
    }

    /// <summary>--from / --to as a range; a bad date or a reversed range is an <see cref="InputException"/> naming the option.</summary>
    public static TimeRange ParseRange(string? from, string? to)
    {
        try
        {
            return TimeRange.FromEnds(from, to, "--from", "--to");
        }
        catch (InputException e) when (e.Field == "datetime")
        {
            throw new InputException($"--from {from} is not before --to {to}; changes compare an earlier date with a later one");
        }
    }

    public static ChangePairing ParsePairing(string text) => text.Trim().ToLowerInvariant() switch
    {
        "span" => ChangePairing.Span,
        "consecutive" => ChangePairing.Consecutive,
        _ => throw new InputException($"--pairs '{text}' must be span or consecutive"),
    };

    private static string? NotBlank(string? text, string option) =>
        text is not null && string.IsNullOrWhiteSpace(text) ? throw new InputException($"{option} is empty") : text;

    private static void Print(ChangeResult result, ChangeQuery query, string format)
    {
        switch (format)
        {
            case "json":
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    model = result.Model,
                    places_compared = result.PlacesCompared,
                    dates = result.Dates.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                    changes = result.Items.Select(c => new
                    {
                        score = c.Score,
                        change = c.Change,
                        normalised_change = c.NormalisedChange,
                        text_score = c.TextScore,
                        iou = c.Iou,
                        before = new { chip_id = c.Before.Id, acquired = c.Before.AcquiredAt, scene = c.Before.SceneUri, window = c.Before.Window.ToString() },
                        after = new { chip_id = c.After.Id, acquired = c.After.AcquiredAt, scene = c.After.SceneUri, window = c.After.Window.ToString() },
                        footprint_wkt = c.Footprint?.AsText(),
                    }),
                }, new JsonSerializerOptions { WriteIndented = true }));
                break;
            case "geojson":
                Console.WriteLine(FeatureCollection(result));
                break;
            default:
                var table = new Table().AddColumns("score", "change", "before chip", "before", "after chip", "after", "scene", "window", "centre (lon, lat)");
                foreach (var c in result.Items)
                {
                    var centre = c.Footprint?.Centroid;
                    table.AddRow(
                        c.Score.ToString("F4", CultureInfo.InvariantCulture),
                        c.Change.ToString("F4", CultureInfo.InvariantCulture),
                        c.Before.Id.ToString(CultureInfo.InvariantCulture),
                        Date(c.Before.AcquiredAt),
                        c.After.Id.ToString(CultureInfo.InvariantCulture),
                        Date(c.After.AcquiredAt),
                        Markup.Escape(Path.GetFileName(c.After.SceneUri)),
                        c.After.Window.ToString(),
                        centre is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{centre.X:F5}, {centre.Y:F5}"));
                }
                AnsiConsole.Write(table);
                var what = query.IsTextGuided ? "text-guided score" : query.Normalise ? "normalised change" : "change (1 - cosine)";
                Console.WriteLine($"{result.Items.Count} of {result.PlacesCompared} place pairs, ranked by {what}; " +
                                  $"{result.Dates.Count} acquisition dates in range (model {result.Model})");
                break;
        }
    }

    private static string Date(DateTimeOffset? t) => t?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "unknown";

    /// <summary>RFC 7946 features: the overlap of the two chips, with both chip ids, dates and the scores (the API's schema).</summary>
    public static string FeatureCollection(ChangeResult result) =>
        FeatureJson.Collection(FeatureSchema.ChangeType, result.Items, result.PlacesCompared, "", ranked: true);
}
