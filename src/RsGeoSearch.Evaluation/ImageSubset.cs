using RsGeoSearch.Core;

namespace RsGeoSearch.Evaluation;

/// <summary>A list of image file names (one a line, e.g. a model's held-out validation list) that restricts an evaluation.</summary>
public static class ImageSubset
{
    public static IReadOnlySet<string> Read(string path)
    {
        if (!File.Exists(path)) throw new InputException($"--subset {path}: no such file");
        var names = File.ReadLines(path)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => System.IO.Path.GetFileName(l))
            .ToHashSet(StringComparer.Ordinal);
        return names.Count > 0 ? names : throw new InputException($"--subset {path}: the file lists no images");
    }
}
