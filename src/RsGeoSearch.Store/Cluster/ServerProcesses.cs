namespace RsGeoSearch.Store.Cluster;

/// <summary>Linux /proc look-ups that tell a live server of this cluster from a stale pid file.</summary>
internal static class ServerProcesses
{
    /// <summary>True when the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0) return false;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is not ('Z' or 'X');
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return true; }
    }

    public static string? Command(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    public static string? WorkingDirectory(int pid)
    {
        try { return new DirectoryInfo($"/proc/{pid}/cwd").ResolveLinkTarget(false)?.FullName; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>True when <paramref name="pid"/> is a postgres postmaster serving <paramref name="dataDirectory"/>.</summary>
    public static bool IsPostmasterOf(int pid, string dataDirectory)
    {
        if (!IsAlive(pid)) return false;
        if (Command(pid) is not ("postgres" or "postmaster")) return false;
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        var cwd = WorkingDirectory(pid);
        if (cwd is not null) return Path.TrimEndingDirectorySeparator(cwd) == full;
        var args = CommandLine(pid);
        for (var i = 0; i + 1 < args.Count; i++)
            if (args[i] == "-D" && Path.TrimEndingDirectorySeparator(args[i + 1]) == full) return true;
        return false;
    }

    /// <summary>Live postgres processes whose working directory is the data directory (a server or its orphans).</summary>
    public static IReadOnlyList<int> ProcessesIn(string dataDirectory)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            if (Command(pid) is not ("postgres" or "postmaster")) continue;
            var cwd = WorkingDirectory(pid);
            if (cwd is not null && Path.TrimEndingDirectorySeparator(cwd) == full && IsAlive(pid)) found.Add(pid);
        }
        return found;
    }

    /// <summary>The pid on the first line of a postmaster.pid or socket lock file; null when absent or unreadable.</summary>
    public static int? ReadPidFile(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            var first = reader.ReadLine();
            return int.TryParse(first?.Trim(), out var pid) ? pid : -1;
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }
}
