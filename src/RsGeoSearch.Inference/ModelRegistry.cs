using RsGeoSearch.Core;
using RsGeoSearch.Inference.Models;
using RsGeoSearch.Inference.Onnx;

namespace RsGeoSearch.Inference;

/// <summary>
/// Finds models for <c>--model NAME|DIR</c>. Search path, first match wins: every folder in
/// <c>RSGEO_MODELS_PATH</c> (colon-separated), then <c>~/.local/share/rsgeo/models</c>, then the project's <c>models/</c>.
/// A model is a sub-folder with manifest.json; its name is the folder name (or the manifest's name).
/// </summary>
public sealed class ModelRegistry
{
    public const string DefaultModel = "rsgeo-mini";
    public const string EnvironmentVariable = "RSGEO_MODELS_PATH";

    public ModelRegistry(IEnumerable<ModelSearchRoot> roots) => Roots = roots.ToArray();

    public IReadOnlyList<ModelSearchRoot> Roots { get; }

    /// <summary>The standard search path (RSGEO_MODELS_PATH, user folder, project models/).</summary>
    public static ModelRegistry Default()
    {
        var roots = new List<ModelSearchRoot>();
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env))
            foreach (var p in env.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                roots.Add(new ModelSearchRoot(Path.GetFullPath(p), EnvironmentVariable));
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) roots.Add(new ModelSearchRoot(Path.Combine(home, ".local", "share", "rsgeo", "models"), "user"));
        if (RepositoryPaths.TryRoot() is { } root) roots.Add(new ModelSearchRoot(Path.Combine(root, "models"), "project"));
        return new ModelRegistry(roots);
    }

    /// <summary>
    /// The folder for <paramref name="nameOrDirectory"/>: a path to a folder with manifest.json, or a model name on
    /// the search path (null or empty: <see cref="DefaultModel"/>). Throws <see cref="InputException"/> listing what exists.
    /// </summary>
    public string Resolve(string? nameOrDirectory)
    {
        var key = string.IsNullOrWhiteSpace(nameOrDirectory) ? DefaultModel : nameOrDirectory.Trim();
        var looksLikePath = key.Contains('/') || key.StartsWith('.') || key.StartsWith('~');
        if (key.StartsWith("~/", StringComparison.Ordinal))
            key = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), key[2..]);
        if (Directory.Exists(key) && (looksLikePath || File.Exists(Path.Combine(key, ModelManifest.FileName))))
        {
            if (!File.Exists(Path.Combine(key, ModelManifest.FileName)))
                throw new InputException($"{Path.GetFullPath(key)} is not a model folder: {ModelManifest.FileName} is missing (format: models/MANIFEST.md)");
            return Path.GetFullPath(key);
        }
        if (looksLikePath) throw new InputException($"model folder not found: {key}");
        foreach (var root in Roots)
        {
            var dir = Path.Combine(root.Directory, key);
            if (File.Exists(Path.Combine(dir, ModelManifest.FileName))) return dir;
        }
        var byManifestName = List().FirstOrDefault(e => e.Name == key && !e.Shadowed);
        if (byManifestName is not null) return byManifestName.Directory;
        var known = List().Where(e => !e.Shadowed).Select(e => e.Name).Distinct().ToArray();
        throw new InputException($"model '{key}' not found. Known models: {(known.Length == 0 ? "none" : string.Join(", ", known))}. " +
                                 $"Searched: {string.Join(", ", Roots.Select(r => r.Directory))} (set {EnvironmentVariable} to add folders, or pass a folder path)");
    }

    /// <summary>Resolves and loads a model.</summary>
    public Model Load(string? nameOrDirectory, SessionSettings? settings = null) => Model.Load(Resolve(nameOrDirectory), settings);

    /// <summary>Every model folder on the search path, in search order, with its status; never throws for a bad folder.</summary>
    public IReadOnlyList<ModelEntry> List()
    {
        var result = new List<ModelEntry>();
        var seen = new HashSet<string>();
        foreach (var root in Roots)
        {
            if (!Directory.Exists(root.Directory)) continue;
            foreach (var dir in Directory.EnumerateDirectories(root.Directory).Order(StringComparer.Ordinal))
            {
                if (!File.Exists(Path.Combine(dir, ModelManifest.FileName))) continue;
                var entry = Inspect(dir, root.Source);
                result.Add(entry with { Shadowed = !seen.Add(entry.Name) });
            }
        }
        return result;
    }

    /// <summary>Reads one model folder's manifest and checks its files, without loading ONNX Runtime.</summary>
    public static ModelEntry Inspect(string directory, string source)
    {
        var folderName = Path.GetFileName(directory);
        ModelManifest manifest;
        try { manifest = ModelManifest.Load(Path.Combine(directory, ModelManifest.FileName)); }
        catch (InputException e) { return new ModelEntry(folderName, directory, source, ModelStatus.Invalid, null, null, null, e.Message, false); }
        var missingGraphs = new[] { manifest.Image.Onnx, manifest.Text.Onnx }.Where(f => !File.Exists(Path.Combine(directory, f))).ToArray();
        var missingTokenizer = manifest.Text.Tokenizer.Files.Values.Where(f => !File.Exists(Path.Combine(directory, f))).ToArray();
        var (status, problem) = missingGraphs.Length > 0
            ? (ModelStatus.NotExported, $"missing: {string.Join(", ", missingGraphs.Concat(missingTokenizer))}")
            : missingTokenizer.Length > 0
                ? (ModelStatus.Invalid, $"tokenizer file {string.Join(", ", missingTokenizer)} missing")
                : (ModelStatus.Ready, (string?)null);
        return new ModelEntry(manifest.Name, directory, source, status, manifest.Family, manifest.EmbeddingDim, manifest.Image.Preprocessing, problem, false);
    }
}
