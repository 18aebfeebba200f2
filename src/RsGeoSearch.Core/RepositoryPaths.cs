namespace RsGeoSearch.Core;

/// <summary>Locates folders of this repository (models/, native/) from wherever the program runs.</summary>
public static class RepositoryPaths
{
    /// <summary>The repository root: the nearest parent of the program or the current directory holding RsGeoSearch.sln.</summary>
    public static string? TryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "RsGeoSearch.sln"))) return dir.FullName;
        }
        return null;
    }

    /// <summary>The folder with native libraries placed by setup.sh (RSGEO_NATIVE_DIR overrides).</summary>
    public static string? NativeDirectory()
    {
        var env = Environment.GetEnvironmentVariable("RSGEO_NATIVE_DIR");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        var beside = Path.Combine(AppContext.BaseDirectory, "native");
        if (Directory.Exists(beside)) return beside;
        var root = TryRoot();
        return root is null ? null : Path.Combine(root, "native");
    }
}
