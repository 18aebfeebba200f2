using System.Collections.Concurrent;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Inference.Onnx;

namespace RsGeoSearch.Pipeline;

/// <summary>Loads each model once (by resolved directory) and owns the loaded sessions.</summary>
public sealed class ModelCache : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Model>> _models = new(StringComparer.Ordinal);
    private readonly SessionSettings _settings;

    public ModelCache(ModelRegistry registry, string? defaultModel = null, SessionSettings? settings = null)
    {
        Registry = registry;
        DefaultModel = string.IsNullOrWhiteSpace(defaultModel) ? ModelRegistry.DefaultModel : defaultModel;
        _settings = settings ?? SessionSettings.Default;
    }

    public ModelRegistry Registry { get; }
    public string DefaultModel { get; }

    /// <summary>The model for a name or directory (null: the default). Throws <see cref="InputException"/> for an unknown model.</summary>
    public Model Get(string? nameOrDirectory)
    {
        // A model already loaded answers to its manifest name too (e.g. a default given as a folder).
        if (!string.IsNullOrWhiteSpace(nameOrDirectory))
            foreach (var loaded in _models.Values)
                if (loaded.IsValueCreated && string.Equals(loaded.Value.Name, nameOrDirectory, StringComparison.Ordinal)) return loaded.Value;
        var directory = Registry.Resolve(string.IsNullOrWhiteSpace(nameOrDirectory) ? DefaultModel : nameOrDirectory);
        var lazy = _models.GetOrAdd(directory, d => new Lazy<Model>(() => Model.Load(d, _settings), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _models.TryRemove(directory, out _);
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var lazy in _models.Values)
            if (lazy.IsValueCreated) lazy.Value.Dispose();
        _models.Clear();
    }
}
