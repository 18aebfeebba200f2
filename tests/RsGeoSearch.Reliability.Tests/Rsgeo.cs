using System.Diagnostics;

namespace RsGeoSearch.Reliability.Tests;

/// <summary>Runs the real rsgeo program (built beside the tests) as a child process.</summary>
internal static class Rsgeo
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "rsgeo.dll");

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(true);
            Assert.Fail($"rsgeo {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
