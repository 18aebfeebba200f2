using System.Diagnostics;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Search;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.Store;

namespace RsGeoSearch.Changes.Tests;

/// <summary>
/// One real embedded PostgreSQL (PostGIS + pgvector) in a temporary directory for the whole run, the tiny
/// random-weight CLIP-shaped model exported by Debian's torch, and helpers to ingest rasters and run GDAL tools.
/// </summary>
[SetUpFixture]
public sealed class ChangeTestBed
{
    private static DatabaseTarget? _target;
    private static string? _root;

    public static CatalogStore Store { get; private set; } = null!;
    public static ModelCache Models { get; private set; } = null!;
    public static SearchService Catalog { get; private set; } = null!;
    public static string TinyClip { get; private set; } = null!;
    public static string Root => _root!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _root = Directory.CreateTempSubdirectory("rsgeo-changes-test-").FullName;
        // Its own temporary folder (not under _root): as root the server runs as 'postgres', and the cluster opens
        // only its own folder to it.
        _target = DatabaseTarget.Resolve(null, Directory.CreateTempSubdirectory("rsgeo-changes-db-").FullName);
        Store = await _target.OpenStoreAsync();
        TinyClip = ExportTinyClip(Path.Combine(_root, "tinyclip"));
        Models = new ModelCache(ModelRegistry.Default(), TinyClip);
        Catalog = new SearchService(Store, Models);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        Models?.Dispose();
        if (Store is not null) await Store.DisposeAsync();
        if (_target?.Cluster is { } cluster) await cluster.DeleteAsync();
        if (_root is not null && Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    /// <summary>The bundled rsgeo-mini model folder, or null while it is not trained and exported yet.</summary>
    public static string? RsGeoMini()
    {
        var root = RepositoryPaths.TryRoot();
        if (root is null) return null;
        var dir = Path.Combine(root, "models", "rsgeo-mini");
        return File.Exists(Path.Combine(dir, "manifest.json")) && File.Exists(Path.Combine(dir, "image.onnx")) ? dir : null;
    }

    public static async Task<IngestReport> IngestAsync(string model, IReadOnlyList<string> files, DateTimeOffset? acquired, int chipSize = 64)
    {
        var report = await new IngestPipeline(Store, Models.Get(model), new IngestOptions { ChipSize = chipSize, Acquired = acquired }).RunAsync(files);
        Assert.That(report.Failures, Is.Empty, () => string.Join("; ", report.Failures.Select(f => f.Message)));
        return report;
    }

    public static DateTimeOffset Day(int year, int month, int day) => new(year, month, day, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Runs a command-line tool and returns its exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(string program, params string[] arguments)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static void GdalTranslate(params string[] arguments)
    {
        var (code, _, err) = Run("gdal_translate", ["-q", .. arguments]);
        Assert.That(code, Is.Zero, $"gdal_translate {string.Join(' ', arguments)}: {err}");
    }

    private static string ExportTinyClip(string dir)
    {
        Directory.CreateDirectory(dir);
        var bpe = SharedData.Path("tokenizers", "clip-bpe");
        var image = Directory.EnumerateFiles(SharedData.Path("scenes", "aid", "Airport"), "*.jpg").Order(StringComparer.Ordinal).First();
        var (code, stdout, stderr) = Run("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "python", "make_tiny_clip.py"), "--out", dir,
            "--bpe", Path.Combine(bpe, "bpe_simple_vocab_16e6.txt.gz"), "--token-ids", Path.Combine(bpe, "reference-token-ids.jsonl"), image);
        if (code != 0) throw new InvalidOperationException($"make_tiny_clip.py failed ({code}): {stderr}{stdout}");
        return dir;
    }
}
