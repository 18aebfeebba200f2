using System.Text.RegularExpressions;
using RsGeoSearch.Core;

namespace RsGeoSearch.Evaluation;

/// <summary>Class labels from folder names (BareLand → "bare land") and the optional labels file that overrides them.</summary>
public static partial class ClassNames
{
    /// <summary>A folder name as words: CamelCase split, '_' and '-' as spaces, lower case ("StorageTanks" → "storage tanks").</summary>
    public static string FromFolder(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var spaced = CamelBoundary().Replace(folder.Replace('_', ' ').Replace('-', ' '), " ");
        return string.Join(' ', spaced.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
    }

    /// <summary>
    /// Reads a labels file: one class a line, <c>FOLDER&lt;TAB&gt;label</c> or <c>FOLDER=label</c>; blank lines and lines
    /// starting with '#' are ignored.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReadLabelsFile(string path)
    {
        if (!File.Exists(path)) throw new InputException($"--labels-file {path}: no such file");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#')) continue;
            var sep = line.IndexOf('\t', StringComparison.Ordinal);
            if (sep < 0) sep = line.IndexOf('=', StringComparison.Ordinal);
            var folder = sep < 0 ? "" : line[..sep].Trim();
            var label = sep < 0 ? "" : line[(sep + 1)..].Trim();
            if (folder.Length == 0 || label.Length == 0)
                throw new InputException($"--labels-file {path}: line {lineNumber} is not 'FOLDER<TAB>label' or 'FOLDER=label'");
            if (!map.TryAdd(folder, label))
                throw new InputException($"--labels-file {path}: line {lineNumber} names folder '{folder}' a second time");
        }
        if (map.Count == 0) throw new InputException($"--labels-file {path}: the file maps no folders");
        return map;
    }

    [GeneratedRegex("(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")]
    private static partial Regex CamelBoundary();
}
