using Microsoft.Extensions.FileSystemGlobbing;
using RsGeoSearch.Core;

namespace RsGeoSearch.Pipeline;

/// <summary>Expands command-line paths (files, folders searched recursively, and globs) into raster files.</summary>
public static class RasterFiles
{
    /// <summary>File extensions taken from folders and globs; a file named explicitly is always taken.</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".tif", ".tiff", ".jp2", ".j2k", ".png", ".jpg", ".jpeg", ".img", ".vrt", ".ntf", ".gpkg",
    };

    public static IReadOnlyList<string> Expand(IEnumerable<string> paths)
    {
        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string file)
        {
            var full = Path.GetFullPath(file);
            if (seen.Add(full)) found.Add(full);
        }

        foreach (var path in paths)
        {
            if (File.Exists(path)) { Add(path); continue; }
            if (Directory.Exists(path))
            {
                foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(IsRaster).Order(StringComparer.Ordinal))
                    Add(f);
                continue;
            }
            if (path.IndexOfAny(['*', '?', '[']) >= 0)
            {
                var (root, pattern) = SplitGlob(path);
                var matcher = new Matcher(StringComparison.Ordinal);
                matcher.AddInclude(pattern);
                var matches = Directory.Exists(root) ? matcher.GetResultsInFullPath(root).Where(IsRaster).Order(StringComparer.Ordinal).ToList() : [];
                if (matches.Count == 0) throw new InputException($"'{path}' matches no raster files");
                foreach (var f in matches) Add(f);
                continue;
            }
            throw new InputException($"'{path}' is neither a file, a folder nor a glob that matches files; check the path");
        }
        return found;
    }

    private static bool IsRaster(string file) => Extensions.Contains(Path.GetExtension(file));

    private static (string Root, string Pattern) SplitGlob(string path)
    {
        var full = Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path);
        var parts = full.Split('/');
        var i = Array.FindIndex(parts, p => p.IndexOfAny(['*', '?', '[']) >= 0);
        var root = string.Join('/', parts[..i]);
        return (root.Length == 0 ? "/" : root, string.Join('/', parts[i..]));
    }
}
