using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Evaluation;
using RsGeoSearch.Pipeline.Search;
using Spectre.Console;

namespace RsGeoSearch.Cli.Commands;

/// <summary>
/// <c>rsgeo eval calibrate FOLDER [--captions FILE.tsv] [--subset LIST] [--write]</c>: fits the relevance calibration of a
/// cosine model on labelled images (see <see cref="RelevanceCalibrator"/>), prints its reliability curve and, with
/// --write, stores it beside the model's manifest (calibration.json), where search reads it.
/// </summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "A folder of class sub-folders of images (FOLDER/<class>/<image>), e.g. ../shared/data/scenes/aid" };
        var captions = new Option<string?>("--captions") { Description = "Tab-separated captions (header with 'image' and 'caption'): more matching and non-matching pairs" };
        var subset = new Option<string?>("--subset") { Description = "Use only the images this file lists (e.g. the model's validation split, models/rsgeo-mini/train/val_images.txt)" };
        var write = new Option<bool>("--write") { Description = "Store the calibration in the model's folder (calibration.json)" };
        var json = new Option<bool>("--json") { Description = "Print the calibration as JSON" };
        var model = new ModelsCommand.ModelOptions();
        var command = new Command("calibrate", "Fit a model's relevance calibration (cosine → probability of a match) on labelled images; print its reliability curve")
        {
            folder, captions, subset, write, json,
        };
        model.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("eval calibrate", () =>
        {
            var folderPath = parseResult.GetValue(folder)!;
            var subsetPath = parseResult.GetValue(subset);
            var subsetNames = subsetPath is null ? null : ImageSubset.Read(subsetPath);
            var data = LabelledImageFolder.Load(folderPath, null, subsetNames);
            var captionsPath = parseResult.GetValue(captions);
            var byImage = captionsPath is null ? null : ReadCaptions(captionsPath, subsetNames);
            using var m = ModelRegistry.Default().Load(parseResult.GetValue(model.Model), model.Settings(parseResult));
            if (m.Scoring.Kind == Inference.Models.ScoringKind.Sigmoid)
                Console.Error.WriteLine($"rsgeo eval calibrate: {m.Name} scores with a sigmoid (logit_scale, logit_bias); search uses the model's own probability, this fit is for comparison");
            var calibration = EvalCommand.WithProgress(m.Name, p => RelevanceCalibrator.Fit(m, data, byImage,
                Path.GetFileName(Path.GetFullPath(folderPath).TrimEnd('/')), captionsPath is null ? "none" : Path.GetFileName(captionsPath),
                subsetPath is null ? null : Path.GetFileName(subsetPath), p, ct));
            if (parseResult.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(calibration, RelevanceCalibration.Json));
            else Print(calibration);
            if (parseResult.GetValue(write))
            {
                calibration.Save(m.Directory);
                Relevance.ClearCache();
                Console.Error.WriteLine($"rsgeo eval calibrate: wrote {RelevanceCalibration.FileName} to {m.Directory}");
            }
            return Task.FromResult(0);
        }));
        return command;
    }

    /// <summary>Captions per image file name, from a captions TSV (the format of <c>eval retrieval</c>).</summary>
    private static Dictionary<string, IReadOnlyList<string>> ReadCaptions(string path, IReadOnlySet<string>? subset) =>
        CaptionSet.ReadRows(path, subset)
            .GroupBy(r => Path.GetFileName(r.Image), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(r => r.Caption).ToList(), StringComparer.Ordinal);

    private static void Print(RelevanceCalibration c)
    {
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"relevance calibration of {c.Model}: p = sigmoid({c.A:F4}·z + {c.B:F4}·cos + {c.D:F4}·k + {c.C:F4}); {c.Data.ImageCount} images, {c.ReferenceTexts.Count} reference texts, " +
            $"{c.Data.FitPairs} pairs fitted, {c.Data.CheckPairs} checked; AUC {c.Quality.Auc:F3}, ECE {c.Quality.ExpectedCalibrationError:F3}")));
        var table = new Table().Border(TableBorder.Rounded).Title("reliability on the held-out half")
            .AddColumn("predicted relevance").AddColumn(new TableColumn("pairs").RightAligned())
            .AddColumn(new TableColumn("mean predicted").RightAligned()).AddColumn(new TableColumn("observed match rate").RightAligned());
        foreach (var b in c.Quality.Reliability)
            table.AddRow(string.Create(CultureInfo.InvariantCulture, $"{b.From:F1}–{b.To:F1}"), b.Pairs.ToString(CultureInfo.InvariantCulture),
                b.Predicted.ToString("F3", CultureInfo.InvariantCulture), b.Observed.ToString("F3", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }
}
