using System.CommandLine;
using RsGeoSearch.Core;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.Raster;
using Spectre.Console;

namespace RsGeoSearch.Cli.Commands;

/// <summary><c>rsgeo ingest PATH...</c>: cut rasters into chips, embed them and store them (idempotent, resumable).</summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Raster files, folders (searched recursively) or globs", Arity = ArgumentArity.OneOrMore };
        var chipSize = new Option<int>("--chip-size") { Description = "Chip size in source pixels at level 0", DefaultValueFactory = _ => 256 };
        var stride = new Option<int?>("--stride") { Description = "Step between chips in pixels (default: the chip size, no overlap)" };
        var levels = new Option<string>("--levels") { Description = "Pyramid levels: 0 = full resolution, 1 = 2x downsampled, ... e.g. 0,1,2", DefaultValueFactory = _ => "0" };
        var bands = new Option<string?>("--bands") { Description = "Source bands (1-based) shown as red,green,blue, e.g. 3,2,1 (default: from colour interpretation and band count)" };
        var acquired = new Option<string?>("--acquired") { Description = "Acquisition date for every file (default: from metadata, then the file name)" };
        var maxNodata = new Option<double>("--max-nodata") { Description = "Skip chips with a larger nodata fraction", DefaultValueFactory = _ => 0.5 };
        var edges = new Option<string>("--edges") { Description = "Partial chips at the right and bottom edges: pad or skip", DefaultValueFactory = _ => "pad" };
        var allowUngeo = new Option<bool>("--allow-ungeoreferenced") { Description = "Index rasters without georeferencing by pixel windows only (no map footprint)" };
        var retile = new Option<bool>("--retile") { Description = "Re-cut scenes stored with another chip size or stride (deletes their stored chips and embeddings of every model first)" };
        var reembed = new Option<bool>("--reembed") { Description = "Replace the model's stored embeddings when they were made by other weights of the same model name (a retrained model)" };
        var storage = new Option<string>("--storage")
        {
            Description = "How a new model's embeddings are stored: auto (halfvec from 512 dimensions), vector (float32) or halfvec (float16)",
            DefaultValueFactory = _ => "auto",
        };
        var batch = new Option<int>("--batch-size") { Description = "Chips per encoder batch", DefaultValueFactory = _ => 32 };
        var writeBatch = new Option<int>("--write-batch-size") { Description = "Chips per database transaction (per scene)", DefaultValueFactory = _ => new IngestOptions().WriteBatchSize };
        var connection = new DbCommand.ConnectionOptions();
        var model = new ModelsCommand.ModelOptions();

        var command = new Command("ingest", "Cut rasters into chips, embed each chip and store footprints, dates and embeddings")
        {
            paths, chipSize, stride, levels, bands, acquired, maxNodata, edges, allowUngeo, retile, reembed, storage, batch, writeBatch,
        };
        connection.AddTo(command);
        model.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("ingest", async () =>
        {
            var options = new IngestOptions
            {
                ChipSize = parseResult.GetValue(chipSize),
                Stride = parseResult.GetValue(stride),
                Levels = ParseLevels(parseResult.GetValue(levels)!),
                Bands = parseResult.GetValue(bands) is { } b ? BandMapping.Parse(b) : null,
                Acquired = parseResult.GetValue(acquired) is { } a ? TimeRange.ParseInstant(a).Start : null,
                MaxNodataFraction = parseResult.GetValue(maxNodata),
                Edges = parseResult.GetValue(edges)?.ToLowerInvariant() switch
                {
                    "pad" => EdgeMode.Pad,
                    "skip" => EdgeMode.Skip,
                    var other => throw new InputException($"--edges '{other}' must be pad or skip"),
                },
                AllowUngeoreferenced = parseResult.GetValue(allowUngeo),
                BatchSize = parseResult.GetValue(batch),
                WriteBatchSize = parseResult.GetValue(writeBatch),
                Retile = parseResult.GetValue(retile),
                Reembed = parseResult.GetValue(reembed),
                HalfPrecision = parseResult.GetValue(storage)?.ToLowerInvariant() switch
                {
                    "auto" => null,
                    "vector" => false,
                    "halfvec" => true,
                    var other => throw new InputException($"--storage '{other}' must be auto, vector or halfvec"),
                },
            };
            var files = RasterFiles.Expand(parseResult.GetValue(paths)!);
            if (files.Count == 0) throw new InputException("no raster files found in the given paths");
            using var loaded = model.Load(parseResult);
            await using var store = await connection.OpenStoreAsync(parseResult, ct);
            var report = await RunWithProgressAsync(new IngestPipeline(store, loaded, options), files, ct);
            PrintReport(report);
            return report.Failures.Any() ? CommandRunner.Failure : 0;
        }));
        return command;
    }

    public static IReadOnlyList<int> ParseLevels(string text)
    {
        var levels = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, out var level) || level is < 0 or > 8) throw new InputException($"--levels: '{part}' must be an integer from 0 to 8");
            if (!levels.Contains(level)) levels.Add(level);
        }
        return levels.Count > 0 ? levels : throw new InputException("--levels needs at least one level, e.g. 0 or 0,1,2");
    }

    /// <summary>Runs the pipeline with a progress bar (chips/s and ETA) on a terminal, or periodic log lines otherwise.</summary>
    public static async Task<IngestReport> RunWithProgressAsync(IngestPipeline pipeline, IReadOnlyList<string> files, CancellationToken ct)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            var last = DateTime.MinValue;
            var progress = new SyncProgress<IngestProgress>(p =>
            {
                if ((DateTime.UtcNow - last).TotalSeconds < 5 && p.ChipsDone < p.ChipsTotal) return;
                last = DateTime.UtcNow;
                Console.Error.WriteLine($"ingest: {p.ChipsDone}/{p.ChipsTotal} chips, {p.FilesDone}/{p.FilesTotal} files{(p.CurrentFile is null ? "" : $", reading {Path.GetFileName(p.CurrentFile)}")}");
            });
            return await pipeline.RunAsync(files, progress, ct);
        }
        IngestReport? report = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RateColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("ingest", maxValue: 1);
                var progress = new SyncProgress<IngestProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.ChipsTotal);
                    task.Value = p.ChipsDone;
                    task.Description = $"{p.FilesDone}/{p.FilesTotal} files {Markup.Escape(p.CurrentFile is null ? "" : Path.GetFileName(p.CurrentFile))}";
                });
                report = await pipeline.RunAsync(files, progress, ct);
                task.Value = task.MaxValue;
            });
        return report!;
    }

    public static void PrintReport(IngestReport report)
    {
        var ingested = report.Files.Count(f => f.Kind == FileOutcomeKind.Ingested);
        var skipped = report.Files.Count(f => f.Kind == FileOutcomeKind.Skipped);
        Console.WriteLine($"ingest: model {report.Model}: {ingested} file(s) ingested, {skipped} already there, {report.Failures.Count()} failed; " +
                          $"{report.ChipsWritten} chips written in {report.Elapsed.TotalSeconds:F1} s ({report.ChipsPerSecond:F1} chips/s)");
        foreach (var f in report.Failures) Console.Error.WriteLine($"  failed: {f.Message}");
    }

    /// <summary>Chips per second, shown in the progress bar.</summary>
    private sealed class RateColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } s ? $"{s:F1} chips/s" : "", Style.Plain);
    }
}
