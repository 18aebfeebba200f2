using RsGeoSearch.Core;
using RsGeoSearch.Pipeline;

namespace RsGeoSearch.Cli;

/// <summary>Image files named on the command line: a file, or every image in a folder (recursively, sorted).</summary>
internal static class ImageInputs
{
    public static IReadOnlyList<string> Expand(string path)
    {
        if (File.Exists(path)) return [Path.GetFullPath(path)];
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => RasterFiles.Extensions.Contains(Path.GetExtension(f)))
                .Select(Path.GetFullPath)
                .Order(StringComparer.Ordinal)
                .ToList();
            return files.Count > 0 ? files : throw new InputException($"{path}: the folder holds no images (.jpg, .png, .tif, .jp2 ...)");
        }
        throw new InputException($"{path}: no such file or folder");
    }
}
