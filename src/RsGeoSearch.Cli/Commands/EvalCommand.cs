using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Evaluation;
using Spectre.Console;

namespace RsGeoSearch.Cli.Commands;

/// <summary>
/// <c>rsgeo eval classify FOLDER</c> (zero-shot accuracy on an ImageFolder layout, confusion matrix CSV + PNG) and
/// <c>rsgeo eval retrieval --images FOLDER --captions FILE.tsv</c> (text↔image recall@1/5/10): how well models work on
/// the user's own imagery. <c>--compare M1,M2</c> evaluates several models side by side, <c>--json</c> prints JSON
/// (one object, or an array with --compare). Unreadable images are reported, the rest evaluated, and the exit code is 1.
/// </summary>
internal static class EvalCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var eval = new Command("eval", "Evaluate models on your own labelled images or captions: zero-shot accuracy and text-image retrieval recall");
        eval.Subcommands.Add(Classify());
        eval.Subcommands.Add(Retrieval());
        eval.Subcommands.Add(CalibrateCommand.Create());
        return eval;
    }

    internal sealed class CommonOptions
    {
        public ModelsCommand.ModelOptions Model { get; } = new();
        public Option<string?> Compare { get; } = new("--compare") { Description = "Evaluate several models side by side: names or folders, comma-separated (instead of --model)" };
        public Option<bool> Json { get; } = new("--json") { Description = "Print the results as JSON (an array with --compare)" };
        public Option<string?> Subset { get; } = new("--subset") { Description = "Evaluate only the images whose file names this file lists, one a line (e.g. a model's held-out validation list)" };

        public void AddTo(Command command)
        {
            Model.AddTo(command);
            command.Options.Add(Compare);
            command.Options.Add(Json);
            command.Options.Add(Subset);
        }

        /// <summary>The models to evaluate: the --compare list, or --model (null: the default model).</summary>
        public IReadOnlyList<string?> Models(ParseResult parseResult)
        {
            var compare = parseResult.GetValue(Compare);
            if (compare is null) return [parseResult.GetValue(Model.Model)];
            if (parseResult.GetValue(Model.Model) is not null) throw new InputException("give either --model or --compare, not both");
            var names = compare.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();
            return names.Length > 0 ? names : throw new InputException("--compare needs model names or folders, comma-separated");
        }

        public IReadOnlySet<string>? ReadSubset(ParseResult parseResult) => parseResult.GetValue(Subset) is { } s ? ImageSubset.Read(s) : null;
    }

    private static Command Classify()
    {
        var folder = new Argument<string>("folder") { Description = "A folder of class sub-folders of images (FOLDER/<class>/<image>); class labels from the folder names (BareLand → \"bare land\")" };
        var template = new Option<string[]>("--template") { Description = "Prompt template with {} for the label; repeat to average several (default: the model's templates)", AllowMultipleArgumentsPerToken = false };
        var labelsFile = new Option<string?>("--labels-file") { Description = "Class labels: one line per folder, FOLDER<TAB>label or FOLDER=label (others keep their folder-name label)" };
        var output = new Option<string?>("--out", "-o") { Description = "Write per_class.csv, confusion_matrix.csv/.png and predictions.csv into this folder (a sub-folder per model with --compare)" };
        var common = new CommonOptions();
        var command = new Command("classify", "Zero-shot top-1/top-5 accuracy, per-class accuracy and confusion matrix on a labelled image folder")
        {
            folder, template, labelsFile, output,
        };
        common.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("eval classify", () =>
        {
            var models = common.Models(parseResult);
            var templates = parseResult.GetValue(template) ?? [];
            if (templates.FirstOrDefault(t => !t.Contains("{}", StringComparison.Ordinal)) is { } bad)
                throw new InputException($"--template '{bad}' must contain {{}} where the class label goes");
            var labels = parseResult.GetValue(labelsFile) is { } lf ? ClassNames.ReadLabelsFile(lf) : null;
            var data = LabelledImageFolder.Load(parseResult.GetValue(folder)!, labels, common.ReadSubset(parseResult));
            var outDir = parseResult.GetValue(output);
            var json = parseResult.GetValue(common.Json);

            var results = new List<(ZeroShotEvaluation Result, IReadOnlyList<string> Files)>();
            foreach (var name in models)
            {
                using var model = ModelRegistry.Default().Load(name, common.Model.Settings(parseResult));
                var result = WithProgress(model.Name, p => ZeroShotEvaluation.Run(model, data, templates, p, ct));
                ReportSkipped("eval classify", result.Skipped);
                IReadOnlyList<string> files = [];
                if (outDir is not null)
                {
                    var dir = models.Count == 1 ? outDir : Path.Combine(outDir, SafeName(model.Name, results.Count, results.Select(r => r.Result.Model)));
                    files = ClassificationReportFiles.Write(result, dir);
                    Console.Error.WriteLine($"rsgeo eval classify: {model.Name}: wrote {string.Join(", ", files.Select(Path.GetFileName))} to {dir}");
                }
                results.Add((result, files));
            }

            if (json)
            {
                var objects = results.Select(r => ClassificationJson(r.Result, r.Files)).ToArray();
                Console.WriteLine(objects.Length == 1 && parseResult.GetValue(common.Compare) is null
                    ? JsonSerializer.Serialize(objects[0], Indented)
                    : JsonSerializer.Serialize(objects, Indented));
            }
            else
            {
                PrintClassification(data, results.Select(r => r.Result).ToList());
                if (outDir is null) Console.Error.WriteLine("rsgeo eval classify: add --out DIR for per-class and confusion-matrix CSVs and a PNG plot");
            }
            return Task.FromResult(results.Any(r => r.Result.Skipped.Count > 0) ? CommandRunner.Failure : 0);
        }));
        return command;
    }

    private static Command Retrieval()
    {
        var images = new Option<string>("--images") { Description = "Folder holding the images (found by file name anywhere under it)", Required = true };
        var captions = new Option<string>("--captions") { Description = "Tab-separated file with a header and columns 'image' (file name) and 'caption'", Required = true };
        var common = new CommonOptions();
        var command = new Command("retrieval", "Text→image and image→text recall@1/5/10 and mean recall on your images and captions") { images, captions };
        common.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("eval retrieval", () =>
        {
            var models = common.Models(parseResult);
            var data = CaptionSet.Load(parseResult.GetValue(captions)!, parseResult.GetValue(images)!, common.ReadSubset(parseResult));
            var results = new List<RetrievalEvaluation>();
            foreach (var name in models)
            {
                using var model = ModelRegistry.Default().Load(name, common.Model.Settings(parseResult));
                var result = WithProgress(model.Name, p => RetrievalEvaluation.Run(model, data, p, ct));
                ReportSkipped("eval retrieval", result.Skipped);
                results.Add(result);
            }
            if (parseResult.GetValue(common.Json))
            {
                var objects = results.Select(RetrievalJson).ToArray();
                Console.WriteLine(objects.Length == 1 && parseResult.GetValue(common.Compare) is null
                    ? JsonSerializer.Serialize(objects[0], Indented)
                    : JsonSerializer.Serialize(objects, Indented));
            }
            else PrintRetrieval(results);
            return Task.FromResult(results.Any(r => r.Skipped.Count > 0) ? CommandRunner.Failure : 0);
        }));
        return command;
    }

    private static object ClassificationJson(ZeroShotEvaluation r, IReadOnlyList<string> files) => new
    {
        task = "classify",
        model = r.Model,
        images = r.Metrics.Images,
        top1 = r.Metrics.Top1,
        top5 = r.Metrics.Top5,
        mean_class_accuracy = r.Metrics.MeanClassAccuracy,
        templates = r.Templates,
        classes = r.Classes.Select(c => new
        {
            index = c.Index,
            folder = c.Folder,
            label = c.Label,
            images = r.Metrics.PerClass[c.Index].Images,
            top1 = r.Metrics.PerClass[c.Index].Top1,
            top5 = r.Metrics.PerClass[c.Index].Top5,
        }),
        confusion_matrix = r.Metrics.Confusion,
        skipped = r.Skipped.Select(s => new { image = s.Path, reason = s.Reason }),
        files,
    };

    private static object RetrievalJson(RetrievalEvaluation r) => new
    {
        task = "retrieval",
        model = r.Model,
        images = r.Metrics.Images,
        captions = r.Metrics.Captions,
        text_to_image = Recalls(r.Metrics.TextToImage),
        image_to_text = Recalls(r.Metrics.ImageToText),
        mean_recall = r.Metrics.MeanRecall,
        skipped = r.Skipped.Select(s => new { image = s.Path, reason = s.Reason }),
    };

    private static Dictionary<string, double> Recalls(RecallAtK r) => new() { ["R@1"] = r.R1, ["R@5"] = r.R5, ["R@10"] = r.R10 };

    private static void PrintClassification(LabelledImageFolder data, IReadOnlyList<ZeroShotEvaluation> results)
    {
        var first = results[0];
        AnsiConsole.MarkupLine($"[bold]Zero-shot classification[/] of {Markup.Escape(data.Root)}: {data.Images.Count} images, {data.Classes.Count} classes");
        foreach (var r in results)
            AnsiConsole.MarkupLine($"  [grey]{Markup.Escape(r.Model)} templates:[/] {Markup.Escape(string.Join(" | ", r.Templates))}");
        var summary = ModelTable(results.Select(r => r.Model));
        AddRow(summary, "top-1 accuracy", results.Select(r => (double?)r.Metrics.Top1));
        AddRow(summary, "top-5 accuracy", results.Select(r => (double?)r.Metrics.Top5));
        AddRow(summary, "mean per-class accuracy", results.Select(r => (double?)r.Metrics.MeanClassAccuracy));
        summary.AddRow(new[] { "images evaluated" }.Concat(results.Select(r => r.Metrics.Images.ToString(CultureInfo.InvariantCulture)
            + (r.Skipped.Count > 0 ? $" ({r.Skipped.Count} skipped)" : ""))).Select(s => new Text(s)).ToArray());
        AnsiConsole.Write(summary);

        var perClass = new Table().Border(TableBorder.Rounded).Title("per-class top-1 accuracy");
        perClass.AddColumn("#").AddColumn("class").AddColumn(new TableColumn("images").RightAligned());
        foreach (var r in results) perClass.AddColumn(new TableColumn(Markup.Escape(r.Model)).RightAligned());
        foreach (var c in first.Classes)
        {
            var cells = new List<string> { c.Index.ToString(CultureInfo.InvariantCulture), Markup.Escape(c.Label), first.Metrics.PerClass[c.Index].Images.ToString(CultureInfo.InvariantCulture) };
            cells.AddRange(Highlight(results.Select(r => r.Metrics.PerClass[c.Index].Top1)));
            perClass.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(perClass);
    }

    private static void PrintRetrieval(IReadOnlyList<RetrievalEvaluation> results)
    {
        var m = results[0].Metrics;
        AnsiConsole.MarkupLine($"[bold]Text-image retrieval[/]: {m.Images} images, {m.Captions} captions");
        var table = ModelTable(results.Select(r => r.Model));
        AddRow(table, "text→image R@1", results.Select(r => (double?)r.Metrics.TextToImage.R1));
        AddRow(table, "text→image R@5", results.Select(r => (double?)r.Metrics.TextToImage.R5));
        AddRow(table, "text→image R@10", results.Select(r => (double?)r.Metrics.TextToImage.R10));
        AddRow(table, "image→text R@1", results.Select(r => (double?)r.Metrics.ImageToText.R1));
        AddRow(table, "image→text R@5", results.Select(r => (double?)r.Metrics.ImageToText.R5));
        AddRow(table, "image→text R@10", results.Select(r => (double?)r.Metrics.ImageToText.R10));
        AddRow(table, "mean recall (mR)", results.Select(r => (double?)r.Metrics.MeanRecall));
        AnsiConsole.Write(table);
    }

    private static Table ModelTable(IEnumerable<string> models)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("metric");
        foreach (var name in models) table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        return table;
    }

    private static void AddRow(Table table, string metric, IEnumerable<double?> values) =>
        table.AddRow(new[] { Markup.Escape(metric) }.Concat(Highlight(values)).ToArray());

    /// <summary>Percentages, the best of several in bold green.</summary>
    private static IEnumerable<string> Highlight(IEnumerable<double?> values)
    {
        var list = values.ToList();
        var best = list.Count > 1 ? list.Max() : null;
        return list.Select(v => v is not { } x ? "-" : x == best ? $"[bold green]{Percent(x)}[/]" : Percent(x));
    }

    private static string Percent(double value) => (100 * value).ToString("0.00", CultureInfo.InvariantCulture) + " %";

    private static void ReportSkipped(string command, IReadOnlyList<SkippedImage> skipped)
    {
        foreach (var s in skipped) Console.Error.WriteLine($"rsgeo {command}: skipped {s.Path}: {s.Reason}");
        if (skipped.Count > 0) Console.Error.WriteLine($"rsgeo {command}: {skipped.Count} image(s) could not be read; the rest were evaluated");
    }

    /// <summary>A folder name for a model's report: its name, made safe, numbered when an earlier model had the same name.</summary>
    private static string SafeName(string model, int index, IEnumerable<string> earlier)
    {
        var safe = new string(model.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_').ToArray()).Trim('.');
        if (safe.Length == 0) return $"model-{index + 1}";
        return earlier.Contains(model, StringComparer.Ordinal) ? $"{safe}-{index + 1}" : safe;
    }

    /// <summary>Runs an evaluation with Spectre progress bars on stderr when it is a terminal.</summary>
    internal static T WithProgress<T>(string model, Func<IProgress<EvaluationProgress>?, T> run)
    {
        if (Console.IsErrorRedirected) return run(null);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (!console.Profile.Capabilities.Interactive) return run(null);
        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                result = run(new SyncProgress<EvaluationProgress>(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var task))
                        tasks[p.Stage] = task = ctx.AddTask(Markup.Escape($"{model}: {p.Stage}"), maxValue: Math.Max(1, p.Total));
                    task.Value = p.Done;
                }));
            });
        return result;
    }
}
