using System.Diagnostics;
using RsGeoSearch.Core;

namespace RsGeoSearch.TestSupport;

/// <summary>
/// Real ONNX models for tests: the bundled rsgeo-mini from the repository, and a tiny random-weight CLIP-shaped
/// model that Debian's torch exports once per test run (64 px, 16-d; fast enough for pipeline plumbing tests).
/// </summary>
public static class TestModels
{
    private static readonly Lazy<string> Tiny = new(ExportTinyClip, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder of the tiny CLIP-shaped model (exported on first use).</summary>
    public static string TinyClip => Tiny.Value;

    /// <summary>The folder of the bundled rsgeo-mini model.</summary>
    public static string RsGeoMini
    {
        get
        {
            var root = RepositoryPaths.TryRoot() ?? throw new InvalidOperationException("repository root (RsGeoSearch.sln) not found");
            var dir = Path.Combine(root, "models", "rsgeo-mini");
            if (!File.Exists(Path.Combine(dir, "manifest.json")) || !File.Exists(Path.Combine(dir, "image.onnx")))
                throw new InvalidOperationException($"{dir} has no exported model (manifest.json, image.onnx)");
            return dir;
        }
    }

    /// <summary>rsgeo-mini when it is exported in the repository, else the tiny CLIP-shaped model (for benchmarks).</summary>
    public static string BundledOrTiny
    {
        get
        {
            var root = RepositoryPaths.TryRoot();
            var mini = root is null ? null : Path.Combine(root, "models", "rsgeo-mini");
            return mini is not null && File.Exists(Path.Combine(mini, "manifest.json")) && File.Exists(Path.Combine(mini, "image.onnx"))
                ? mini
                : TinyClip;
        }
    }

    public const string Python = "/usr/bin/python3";

    private static string ExportTinyClip()
    {
        var dir = Directory.CreateTempSubdirectory("rsgeo-tinyclip-").FullName;
        var bpeDir = SharedData.Path("tokenizers", "clip-bpe");
        var image = Directory.EnumerateFiles(SharedData.Path("scenes", "aid", "Airport"), "*.jpg").Order(StringComparer.Ordinal).First();
        var script = Path.Combine(AppContext.BaseDirectory, "python", "make_tiny_clip.py");
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList =
            {
                script, "--out", dir, "--bpe", Path.Combine(bpeDir, "bpe_simple_vocab_16e6.txt.gz"),
                "--token-ids", Path.Combine(bpeDir, "reference-token-ids.jsonl"), image,
            },
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
        return dir;
    }
}
