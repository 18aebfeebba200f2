using System.CommandLine;
using System.Text.Json;
using RsGeoSearch.Core;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Search;

namespace RsGeoSearch.Cli.Commands;

/// <summary><c>rsgeo classify IMAGE|FOLDER --labels a,b,c</c>: zero-shot classification, one JSON line per image.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("image") { Description = "An image file or a folder of images" };
        var labels = new Option<string>("--labels") { Description = "Class labels, comma-separated (e.g. farmland,forest,river,residential)", Required = true };
        var template = new Option<string[]>("--template") { Description = "Prompt template(s) with {} for the label (default: the model's templates); several are averaged", AllowMultipleArgumentsPerToken = false };
        var model = new ModelsCommand.ModelOptions();
        var command = new Command("classify", "Zero-shot classification of images over text labels") { input, labels, template };
        model.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("classify", () =>
        {
            var names = parseResult.GetValue(labels)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToArray();
            if (names.Length < 2) throw new InputException("--labels needs at least two labels, comma-separated");
            var templates = parseResult.GetValue(template) ?? [];
            if (templates.FirstOrDefault(t => !t.Contains("{}", StringComparison.Ordinal)) is { } bad)
                throw new InputException($"--template '{bad}' must contain {{}} where the label goes");
            var files = ImageInputs.Expand(parseResult.GetValue(input)!);
            using var m = model.Load(parseResult);
            var labelVectors = m.EncodeLabels(names, templates.Length > 0 ? templates : m.PromptTemplates);
            var failed = 0;
            foreach (var file in files)
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    var scores = SearchService.Rank(m, m.EncodeImage(Preprocessing.ReadImage(m, file)), names, labelVectors);
                    Console.WriteLine(JsonSerializer.Serialize(new
                    {
                        image = file,
                        label = scores[0].Label,
                        score = scores[0].Score,
                        scores = scores.ToDictionary(s => s.Label, s => Math.Round(s.Score, 6)),
                    }));
                }
                catch (Exception e) when (e is InputException or Raster.RasterException)
                {
                    failed++;
                    Console.Error.WriteLine($"rsgeo classify: {file}: {e.Message}");
                }
            }
            return Task.FromResult(failed == 0 ? 0 : CommandRunner.Failure);
        }));
        return command;
    }
}
