using System.Diagnostics;
using System.Text;

namespace RsGeoSearch.Store.Cluster;

/// <summary>
/// Runs PostgreSQL's command-line tools, as the service OS user when this process is root (through
/// setpriv, else runuser). The only place that starts processes for the cluster; every process is
/// waited for and disposed; a process that outlives its timeout is killed with its children.
/// </summary>
internal sealed class ToolRunner
{
    private readonly string _binDirectory;
    private readonly string? _runAs;
    private readonly string _workingDirectory;

    public ToolRunner(string binDirectory, string? runAs, string workingDirectory)
    {
        _binDirectory = binDirectory;
        _runAs = runAs;
        _workingDirectory = workingDirectory;
    }

    public string? RunAs => _runAs;

    public string ToolPath(string tool) => Path.Combine(_binDirectory, tool);

    /// <summary>Runs a PostgreSQL tool from the bin directory.</summary>
    public Task<ToolResult> RunToolAsync(string tool, IEnumerable<string> args, TimeSpan timeout, CancellationToken ct) =>
        RunAsync(ToolPath(tool), args, timeout, ct);

    /// <summary>Runs any program as the service user (or as this user when not root).</summary>
    public Task<ToolResult> RunAsync(string program, IEnumerable<string> args, TimeSpan timeout, CancellationToken ct) =>
        RunAsync(program, args, timeout, asServiceUser: true, ct);

    /// <summary>Runs a program as this process's own user (chown and the like).</summary>
    public Task<ToolResult> RunAsSelfAsync(string program, IEnumerable<string> args, TimeSpan timeout, CancellationToken ct) =>
        RunAsync(program, args, timeout, asServiceUser: false, ct);

    private async Task<ToolResult> RunAsync(string program, IEnumerable<string> args, TimeSpan timeout, bool asServiceUser, CancellationToken ct)
    {
        var runAs = asServiceUser ? _runAs : null;
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = _workingDirectory,
        };
        if (runAs is null)
        {
            psi.FileName = program;
        }
        else if (File.Exists("/usr/bin/setpriv"))
        {
            psi.FileName = "/usr/bin/setpriv";
            foreach (var a in new[] { $"--reuid={runAs}", $"--regid={runAs}", "--init-groups", "--reset-env", "--" }) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add(program);
        }
        else
        {
            psi.FileName = File.Exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "runuser";
            foreach (var a in new[] { "-u", runAs, "--" }) psi.ArgumentList.Add(a);
            psi.ArgumentList.Add(program);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LC_ALL"] = "C.UTF-8";
        psi.Environment.Remove("PGDATA");
        psi.Environment.Remove("PGHOST");
        psi.Environment.Remove("PGPORT");

        var output = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new StoreException($"could not run {program}: {e.Message}; install PostgreSQL 15 with ./setup.sh or set {EmbeddedClusterOptions.BinDirEnvironmentVariable}", e);
        }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            ct.ThrowIfCancellationRequested();
            throw new StoreException($"{Path.GetFileName(program)} did not finish within {timeout.TotalSeconds:0} s");
        }
        process.WaitForExit(); // flushes the asynchronous output readers
        string text;
        lock (output) text = output.ToString().TrimEnd();
        return new ToolResult(process.ExitCode, text);
    }
}

/// <summary>Exit code and combined stdout/stderr of a tool run.</summary>
internal readonly record struct ToolResult(int ExitCode, string Output)
{
    public bool Ok => ExitCode == 0;
}
