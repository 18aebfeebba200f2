using System.CommandLine;
using RsGeoSearch.Core;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Search;
using RsGeoSearch.Pipeline.Ingest;
using Spectre.Console;

namespace RsGeoSearch.Cli.Commands;

/// <summary>
/// <c>rsgeo demo</c>: the main job end to end — start the embedded database, ingest the shared sample rasters
/// (idempotent: a second run only checks), and answer a few text queries.
/// </summary>
internal static class DemoCommand
{
    private static readonly string[] DefaultQueries =
    [
        "a lake surrounded by farmland",
        "a river with meanders through forest",
        "dense residential buildings",
        "ships in a harbour",
        "white clouds",
    ];

    public static Command Create()
    {
        var data = new Option<string?>("--rasters") { Description = $"Folder of rasters to ingest (default: the shared data's rasters/; ${SharedData.EnvironmentVariable} moves it)" };
        var queries = new Option<string[]>("--query", "-q") { Description = "Text queries to answer (default: a few examples)", AllowMultipleArgumentsPerToken = false };
        var limit = new Option<int>("--limit", "-k") { Description = "Results per query", DefaultValueFactory = _ => 5 };
        var connection = new DbCommand.ConnectionOptions();
        var model = new ModelsCommand.ModelOptions();
        var command = new Command("demo", "Start the embedded database, ingest the sample imagery and answer example text queries") { data, queries, limit };
        connection.AddTo(command);
        model.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("demo", async () =>
        {
            var folder = parseResult.GetValue(data) ?? SharedData.Path("rasters");
            AnsiConsole.MarkupLine($"[bold]1. Database[/]");
            await using var store = await connection.OpenStoreAsync(parseResult, ct);
            using var models = new ModelCache(Inference.ModelRegistry.Default(), parseResult.GetValue(model.Model), model.Settings(parseResult));
            var m = models.Get(null);
            AnsiConsole.MarkupLine($"[bold]2. Ingest[/] {Markup.Escape(folder)} with model {Markup.Escape(m.Name)} ({m.Dimension}-d)");
            // A catalogue embedded by an earlier rsgeo-mini (other weights, same name) is re-embedded, not refused.
            var report = await IngestCommand.RunWithProgressAsync(new IngestPipeline(store, m, new IngestOptions { Reembed = true }), RasterFiles.Expand([folder]), ct);
            IngestCommand.PrintReport(report);
            await using var catalog = new SearchService(store, models);
            var extent = await catalog.GetExtentAsync(ct);
            AnsiConsole.MarkupLine($"[bold]3. Search[/] over {extent.ChipCount} chips in {extent.SceneCount} scenes, {extent.Start:yyyy-MM-dd} … {extent.End:yyyy-MM-dd}");
            var asked = parseResult.GetValue(queries) is { Length: > 0 } q ? q : DefaultQueries;
            foreach (var text in asked)
            {
                AnsiConsole.MarkupLine($"\n[bold]rsgeo search \"{Markup.Escape(text)}\" --limit {parseResult.GetValue(limit)}[/]");
                var page = await catalog.SearchAsync(new CatalogQuery(Text: text, Limit: parseResult.GetValue(limit)), ct);
                SearchCommand.Print(page, "table");
            }
            AnsiConsole.MarkupLine("\nNext: [bold]./rsgeo serve[/] and open http://127.0.0.1:8080/ (web map), or load http://127.0.0.1:8080/ogc in QGIS (OGC API - Features).");
            return 0;
        }));
        return command;
    }
}
