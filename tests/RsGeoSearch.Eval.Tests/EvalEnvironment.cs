using System.Diagnostics;
using System.Text;
using RsGeoSearch.Core;

namespace RsGeoSearch.Eval.Tests;

/// <summary>
/// Shared set-up: the tiny random CLIP model (exported once per run by the Inference tests' make_tiny_clip.py),
/// small labelled AID subsets built from the shared scenes with symbolic links, and running the real CLI.
/// </summary>
internal static class EvalEnvironment
{
    public const string Python = "/usr/bin/python3";

    public static string RepositoryRoot => RepositoryPaths.TryRoot() ?? throw new InvalidOperationException("repository root (RsGeoSearch.sln) not found");

    public static string Aid => SharedData.Path("scenes", "aid");

    public static string CaptionsTsv => SharedData.Path("captions", "rsicd-train.tsv");

    /// <summary>The bundled rsgeo-mini folder, or null while it is not exported.</summary>
    public static string? RsgeoMini
    {
        get
        {
            var dir = Path.Combine(RepositoryRoot, "models", "rsgeo-mini");
            return File.Exists(Path.Combine(dir, "manifest.json")) && File.Exists(Path.Combine(dir, "image.onnx")) ? dir : null;
        }
    }

    /// <summary>Deletes the tiny model's folder if this run created it.</summary>
    public static void CleanUp()
    {
        if (Tiny.IsValueCreated && Directory.Exists(Tiny.Value)) Directory.Delete(Tiny.Value, true);
    }

    private static readonly Lazy<string> Tiny = new(() =>
    {
        var dir = NewTempDirectory("rsgeo-eval-tinyclip");
        var bpe = SharedData.Path("tokenizers", "clip-bpe");
        var image = Directory.EnumerateFiles(Path.Combine(Aid, "Airport"), "*.jpg").Order(StringComparer.Ordinal).First();
        var r = Run(Python, [Path.Combine(RepositoryRoot, "tests", "RsGeoSearch.Inference.Tests", "python", "make_tiny_clip.py"),
            "--out", dir, "--bpe", Path.Combine(bpe, "bpe_simple_vocab_16e6.txt.gz"), "--token-ids", Path.Combine(bpe, "reference-token-ids.jsonl"), image]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"make_tiny_clip.py failed:\n{r.Stderr}");
        return dir;
    });

    /// <summary>The tiny random-weight CLIP model folder (16-d embeddings, 64 px input).</summary>
    public static string TinyClip => Tiny.Value;

    public static string NewTempDirectory(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// An ImageFolder subset of AID in a new folder under <paramref name="parent"/>: <paramref name="perClass"/> images
    /// of each class (symbolic links), taken from <paramref name="only"/> when given (file names), else the first in
    /// ordinal order.
    /// </summary>
    public static string AidSubset(string parent, IReadOnlyList<string> classes, int perClass, IReadOnlySet<string>? only = null)
    {
        var root = Directory.CreateDirectory(Path.Combine(parent, $"aid-{Guid.NewGuid():N}")).FullName;
        foreach (var c in classes)
        {
            var dst = Directory.CreateDirectory(Path.Combine(root, c)).FullName;
            var files = Directory.EnumerateFiles(Path.Combine(Aid, c), "*.jpg")
                .Where(f => only is null || only.Contains(Path.GetFileName(f)))
                .Order(StringComparer.Ordinal).Take(perClass).ToList();
            Assert.That(files, Has.Count.EqualTo(perClass), $"AID class {c} has too few images");
            foreach (var f in files) File.CreateSymbolicLink(Path.Combine(dst, Path.GetFileName(f)), f);
        }
        return root;
    }

    /// <summary>Every RSICD caption row (image, caption) of the images under <paramref name="folder"/>, in the TSV's order.</summary>
    public static List<(string Image, string Caption)> CaptionsFor(string folder)
    {
        var names = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var rows = new List<(string, string)>();
        foreach (var line in File.ReadLines(CaptionsTsv).Skip(1))
        {
            var f = line.Split('\t');
            if (names.Contains(f[0])) rows.Add((f[0], f[2]));
        }
        return rows;
    }

    public static string WriteTsv(string path, string header, IEnumerable<string> lines)
    {
        File.WriteAllText(path, header + "\n" + string.Join("\n", lines) + "\n", new UTF8Encoding(false));
        return path;
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>Runs the CLI (`dotnet rsgeo.dll ARGS`) built next to the tests.</summary>
    public static Result Rsgeo(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "rsgeo.dll");
        Assert.That(dll, Does.Exist, "rsgeo.dll is copied next to the tests by the project reference");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        return Run(dotnet, [dll, .. args]);
    }

    public static Result Run(string program, IEnumerable<string> args, int timeoutSeconds = 600)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["OMP_NUM_THREADS"] = "1";
        psi.Environment["COLUMNS"] = "160";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish within {timeoutSeconds}s");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Reads a float32 C-order .npy matrix (as `rsgeo embed` writes it).</summary>
    public static float[][] ReadNpy(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.That(bytes.AsSpan(0, 6).ToArray(), Is.EqualTo(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' }));
        var headerLength = BitConverter.ToUInt16(bytes, 8);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.That(header, Does.Contain("'descr': '<f4'").And.Contain("'fortran_order': False"));
        var shape = header[(header.IndexOf("'shape': (", StringComparison.Ordinal) + 10)..];
        var dims = shape[..shape.IndexOf(')', StringComparison.Ordinal)].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).ToArray();
        var (rows, cols) = (dims[0], dims[1]);
        var offset = 10 + headerLength;
        Assert.That(bytes.Length, Is.EqualTo(offset + 4 * rows * cols));
        var result = new float[rows][];
        for (var r = 0; r < rows; r++)
        {
            result[r] = new float[cols];
            Buffer.BlockCopy(bytes, offset + 4 * r * cols, result[r], 0, 4 * cols);
        }
        return result;
    }
}
