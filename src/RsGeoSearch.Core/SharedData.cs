namespace RsGeoSearch.Core;

/// <summary>
/// Finds the shared data folder (research-licensed imagery that is never copied into the repository):
/// <c>RSGEO_SHARED_DATA</c> if set, else the first <c>shared/data</c> found beside the current directory,
/// the program's directory, or any of their parents.
/// </summary>
public static class SharedData
{
    public const string EnvironmentVariable = "RSGEO_SHARED_DATA";

    public static string? TryResolve()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return Directory.Exists(env) ? System.IO.Path.GetFullPath(env) : null;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = System.IO.Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    public static string Resolve() => TryResolve() ?? throw new InputException(
        $"the shared data folder was not found: put it at ../shared/data beside the repository or set {EnvironmentVariable}");

    /// <summary>A path inside the shared data folder, e.g. <c>Path("rasters", "naip-north-dakota")</c>.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Resolve(), .. parts]);
}
