using System.CommandLine;
using System.Globalization;
using RsGeoSearch.Core;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Search;
using Spectre.Console;

namespace RsGeoSearch.Cli.Commands;

/// <summary><c>rsgeo similarity IMAGE --texts "..." "..."</c>: rank captions for an image.</summary>
internal static class SimilarityCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("image") { Description = "An image file" };
        var texts = new Option<string[]>("--texts") { Description = "Captions to rank", Required = true, AllowMultipleArgumentsPerToken = true };
        var model = new ModelsCommand.ModelOptions();
        var command = new Command("similarity", "Rank texts (captions) by how well they describe an image") { input, texts };
        model.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("similarity", () =>
        {
            var path = parseResult.GetValue(input)!;
            if (!File.Exists(path)) throw new InputException($"{path}: no such file");
            var captions = parseResult.GetValue(texts)!.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToArray();
            if (captions.Length == 0) throw new InputException("--texts needs at least one non-empty text");
            using var m = model.Load(parseResult);
            var scores = SearchService.Rank(m, m.EncodeImage(Preprocessing.ReadImage(m, path)), captions, m.EncodeTexts(captions));
            var table = new Table().AddColumns("rank", "score", "cosine", "text");
            var rank = 1;
            foreach (var s in scores)
                table.AddRow((rank++).ToString(CultureInfo.InvariantCulture), s.Score.ToString("F4", CultureInfo.InvariantCulture),
                    s.Cosine.ToString("F4", CultureInfo.InvariantCulture), Markup.Escape(s.Label));
            AnsiConsole.Write(table);
            return Task.FromResult(0);
        }));
        return command;
    }
}
