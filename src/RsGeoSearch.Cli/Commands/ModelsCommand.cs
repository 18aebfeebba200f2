using System.CommandLine;
using System.Text.Json;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Inference.Models;
using RsGeoSearch.Inference.Onnx;
using Spectre.Console;

namespace RsGeoSearch.Cli.Commands;

/// <summary>
/// <c>rsgeo models list|show</c>: the models on the search path. <see cref="ModelOptions"/> is how every other
/// command takes <c>--model NAME|DIR</c>, <c>--provider cpu|cuda|auto</c> and <c>--threads</c>.
/// </summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var models = new Command("models", "List and inspect embedding models (search path: $RSGEO_MODELS_PATH, ~/.local/share/rsgeo/models, the project's models/)");
        models.Subcommands.Add(List());
        models.Subcommands.Add(Show());
        return models;
    }

    /// <summary>--model, --provider and --threads; <see cref="Load"/> resolves and loads the model.</summary>
    public sealed class ModelOptions
    {
        public Option<string?> Model { get; } = new("--model", "-m")
        {
            Description = $"Model name on the search path or a model folder (default: {ModelRegistry.DefaultModel}; see `rsgeo models list`)",
        };

        public Option<string> Provider { get; } = new("--provider")
        {
            Description = "ONNX Runtime execution provider: cpu, cuda, or auto (CUDA when the library can run it)",
            DefaultValueFactory = _ => "cpu",
        };

        public Option<int> Threads { get; } = new("--threads")
        {
            Description = "Threads per inference (0 = ONNX Runtime's default: one per core)",
        };

        public void AddTo(Command command)
        {
            command.Options.Add(Model);
            command.Options.Add(Provider);
            command.Options.Add(Threads);
        }

        public SessionSettings Settings(ParseResult parseResult) => new()
        {
            Provider = SessionSettings.ParseProvider(parseResult.GetValue(Provider) ?? "cpu"),
            IntraOpThreads = Math.Max(0, parseResult.GetValue(Threads)),
        };

        public Model Load(ParseResult parseResult) => ModelRegistry.Default().Load(parseResult.GetValue(Model), Settings(parseResult));
    }

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var command = new Command("list", "List the models found on the search path: family, embedding dimension, input, status and where") { json };
        command.SetAction((parseResult, _) => CommandRunner.RunAsync("models list", () =>
        {
            var registry = ModelRegistry.Default();
            var entries = registry.List();
            if (parseResult.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(entries.Select(e => new
                {
                    name = e.Name,
                    family = e.Family is { } f ? ModelManifest.ToName(f) : null,
                    embedding_dim = e.EmbeddingDim,
                    image_size = e.Preprocessing?.Size,
                    status = StatusName(e),
                    problem = e.Problem,
                    directory = e.Directory,
                    source = e.Source,
                }), new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            if (entries.Count == 0)
            {
                Console.Error.WriteLine($"no models found; searched {string.Join(", ", registry.Roots.Select(r => r.Directory))}");
                return 1;
            }
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var c in new[] { "Name", "Family", "Dim", "Input", "Status", "Where" }) table.AddColumn(c);
            foreach (var e in entries)
            {
                var status = e.Status switch
                {
                    ModelStatus.Ready when e.Shadowed => "[grey]shadowed[/]",
                    ModelStatus.Ready => "[green]ready[/]",
                    ModelStatus.NotExported => "[yellow]not exported[/]",
                    _ => "[red]invalid[/]",
                };
                table.AddRow(
                    Markup.Escape(e.Name + (e.Name == ModelRegistry.DefaultModel ? " (default)" : "")),
                    e.Family is { } f ? ModelManifest.ToName(f) : "-",
                    e.EmbeddingDim?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                    e.Preprocessing is { } p ? Markup.Escape($"{p.Size}px {(p.Resize == ResizeMode.Squash ? "squash" : "crop")} {p.Interpolation.ToString().ToLowerInvariant()}") : "-",
                    status + (e.Problem is null ? "" : "\n" + Markup.Escape(e.Problem)),
                    Markup.Escape($"{Shorten(e.Directory)} ({e.Source})"));
            }
            AnsiConsole.Write(table);
            Console.WriteLine(RuntimeLine());
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string?>("model") { Description = "Model name or folder (default: rsgeo-mini)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("show", "Show a model's manifest, preprocessing, tokenizer and ONNX inputs/outputs") { name };
        command.SetAction((parseResult, _) => CommandRunner.RunAsync("models show", () =>
        {
            using var model = ModelRegistry.Default().Load(parseResult.GetValue(name));
            var m = model.Manifest;
            var grid = new Grid().AddColumn().AddColumn();
            void Row(string k, string v) => grid.AddRow(new Markup($"[bold]{Markup.Escape(k)}[/]"), new Text(v));
            Row("name", m.Name);
            Row("folder", model.Directory);
            Row("family", ModelManifest.ToName(m.Family));
            Row("embedding dim", m.EmbeddingDim.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Row("preprocessing", model.Preprocessing.ToString());
            Row("tokenizer", $"{ModelManifest.ToName(m.Text.Tokenizer.Kind)}, context {m.Text.ContextLength}, vocabulary {model.Tokenizer.VocabularySize}");
            Row("scoring", $"{m.Scoring.Kind.ToString().ToLowerInvariant()}, logit scale {m.Scoring.LogitScale}, bias {m.Scoring.LogitBias}");
            Row("templates", m.PromptTemplates.Count == 0 ? "(none)" : string.Join(" | ", m.PromptTemplates));
            Row("onnx runtime", RuntimeLine());
            Row("image graph", $"{m.Image.Onnx} on {model.Images.Provider.ToString().ToLowerInvariant()}, batch {(model.Images.FixedBatch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "dynamic")}");
            Row("text graph", $"{m.Text.Onnx}{(model.Texts.HasMask ? " (with attention mask)" : "")}");
            AnsiConsole.Write(grid);
            return 0;
        }));
        return command;
    }

    /// <summary>The runtime's version, the library the process loaded and the providers compiled into it.</summary>
    private static string RuntimeLine() =>
        $"ONNX Runtime {OnnxRuntime.Version} ({OnnxRuntime.LibraryPath}); providers: " +
        string.Join(", ", OnnxRuntime.AvailableProviders.Select(p => p.Replace("ExecutionProvider", "", StringComparison.Ordinal).ToLowerInvariant()));

    // A folder inside the repository as a relative path, one under the home folder with ~.
    private static string Shorten(string directory)
    {
        if (RepositoryPaths.TryRoot() is { } root && directory.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            return Path.GetRelativePath(root, directory);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length > 1 && directory.StartsWith(home + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? "~" + directory[home.Length..] : directory;
    }

    private static string StatusName(ModelEntry e) => e.Status switch
    {
        ModelStatus.Ready when e.Shadowed => "shadowed",
        ModelStatus.Ready => "ready",
        ModelStatus.NotExported => "not exported",
        _ => "invalid",
    };
}
