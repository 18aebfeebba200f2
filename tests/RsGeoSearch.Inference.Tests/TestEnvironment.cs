using System.Diagnostics;
using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Tests;

/// <summary>Paths and helpers shared by the tests: the repository, the shared data, running /usr/bin/python3 and tools.</summary>
internal static class TestEnvironment
{
    public const string Python = "/usr/bin/python3";

    public static string RepositoryRoot => RepositoryPaths.TryRoot() ?? throw new InvalidOperationException("repository root (RsGeoSearch.sln) not found");

    public static string PythonScript(string name) => Path.Combine(AppContext.BaseDirectory, "python", name);

    public static string ClipBpeDirectory => SharedData.Path("tokenizers", "clip-bpe");

    public static string NewTempDirectory(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Runs a program, feeding <paramref name="stdin"/>; returns stdout; fails the test with stderr on a non-zero exit.</summary>
    public static string Run(string program, IEnumerable<string> args, string? stdin = null, string? workingDirectory = null, int timeoutSeconds = 300)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONIOENCODING"] = "utf-8";
        psi.Environment["OMP_NUM_THREADS"] = "1";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var stderrTask = p.StandardError.ReadToEndAsync();
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        if (stdin is not null)
        {
            using (var w = new StreamWriter(p.StandardInput.BaseStream, new System.Text.UTF8Encoding(false))) w.Write(stdin);
        }
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} timed out after {timeoutSeconds}s");
        }
        var stdout = stdoutTask.Result;
        if (p.ExitCode != 0) Assert.Fail($"{program} {string.Join(' ', args)} exited {p.ExitCode}:\n{stderrTask.Result}");
        return stdout;
    }

    public static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var result = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, result, 0, bytes.Length);
        return result;
    }

    /// <summary>Resident set size of this process in bytes (VmRSS from /proc/self/status).</summary>
    public static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException("VmRSS not found");
    }
}
