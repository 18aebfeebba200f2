namespace RsGeoSearch.Core;

/// <summary>Locates folders of this repository (models/) from wherever the program runs.</summary>
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
}
