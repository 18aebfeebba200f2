using RsGeoSearch.Core;
using RsGeoSearch.Pipeline;

namespace RsGeoSearch.Evaluation;

/// <summary>
/// Image–caption pairs for retrieval: a TSV with a header naming the columns <c>image</c> and <c>caption</c> (others
/// ignored), images found by file name anywhere under a folder (or by a path relative to it). Every row is one
/// caption (duplicates kept); images are in order of first appearance.
/// </summary>
public sealed class CaptionSet
{
    private CaptionSet(IReadOnlyList<string> images, IReadOnlyList<string> captions, IReadOnlyList<int> owners)
    {
        Images = images;
        Captions = captions;
        Owners = owners;
    }

    /// <summary>Full paths of the images.</summary>
    public IReadOnlyList<string> Images { get; }

    public IReadOnlyList<string> Captions { get; }

    /// <summary>For each caption, the index of its image in <see cref="Images"/>.</summary>
    public IReadOnlyList<int> Owners { get; }

    public static CaptionSet Load(string captionsFile, string imagesFolder, IReadOnlySet<string>? subset = null)
    {
        if (!File.Exists(captionsFile)) throw new InputException($"--captions {captionsFile}: no such file");
        if (!Directory.Exists(imagesFolder)) throw new InputException($"--images {imagesFolder}: no such folder");
        var rows = ReadRows(captionsFile, subset);

        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        var ambiguous = new HashSet<string>(StringComparer.Ordinal);
        var root = System.IO.Path.GetFullPath(imagesFolder);
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (!RasterFiles.Extensions.Contains(System.IO.Path.GetExtension(file))) continue;
            if (!byName.TryAdd(System.IO.Path.GetFileName(file), file)) ambiguous.Add(System.IO.Path.GetFileName(file));
        }

        var images = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var captions = new List<string>(rows.Count);
        var owners = new List<int>(rows.Count);
        var missing = new List<string>();
        var twice = new List<string>();
        foreach (var (image, caption) in rows)
        {
            if (!index.TryGetValue(image, out var i))
            {
                var relative = System.IO.Path.Combine(root, image);
                string? path = File.Exists(relative) ? relative : null;
                if (path is null && ambiguous.Contains(System.IO.Path.GetFileName(image))) { twice.Add(image); i = -1; }
                else if (path is null && !byName.TryGetValue(System.IO.Path.GetFileName(image), out path)) { missing.Add(image); i = -1; }
                else { i = images.Count; images.Add(path!); }
                index[image] = i;
            }
            if (i < 0) continue;
            captions.Add(caption);
            owners.Add(i);
        }
        var named = index.Count;
        if (missing.Count > 0)
            throw new InputException($"--captions {captionsFile}: {missing.Count} of the {named} images it names are not under {imagesFolder}: " +
                $"{string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? $", ... ({missing.Count - 10} more)" : "")}");
        if (twice.Count > 0)
            throw new InputException($"--captions {captionsFile}: {twice.Count} image name(s) occur more than once under {imagesFolder}, so the image is ambiguous: " +
                $"{string.Join(", ", twice.Take(10))}{(twice.Count > 10 ? ", ..." : "")}; name them by path relative to the folder");
        if (images.Count < 2) throw new InputException($"--captions {captionsFile}: retrieval needs at least two images; the file names {images.Count}");
        return new CaptionSet(images, captions, owners);
    }

    /// <summary>
    /// The (image, caption) rows of a captions TSV (header naming the columns <c>image</c> and <c>caption</c>), only
    /// those whose image file name is in <paramref name="subset"/> when given; malformed files are an <see cref="InputException"/>.
    /// </summary>
    public static List<(string Image, string Caption)> ReadRows(string captionsFile, IReadOnlySet<string>? subset = null)
    {
        if (!File.Exists(captionsFile)) throw new InputException($"--captions {captionsFile}: no such file");
        using var reader = new StreamReader(captionsFile);
        var header = reader.ReadLine()?.TrimEnd('\r').Split('\t').Select(h => h.Trim()).ToArray()
            ?? throw new InputException($"--captions {captionsFile}: the file is empty");
        var imageColumn = Array.FindIndex(header, h => h.Equals("image", StringComparison.OrdinalIgnoreCase));
        var captionColumn = Array.FindIndex(header, h => h.Equals("caption", StringComparison.OrdinalIgnoreCase));
        if (imageColumn < 0 || captionColumn < 0)
            throw new InputException($"--captions {captionsFile}: the first line must be a tab-separated header with columns 'image' and 'caption'; " +
                $"it has {string.Join(", ", header.Select(h => $"'{h}'"))}");

        var rows = new List<(string Image, string Caption)>();
        var lineNumber = 1;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            line = line.TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.Split('\t');
            if (fields.Length <= Math.Max(imageColumn, captionColumn))
                throw new InputException($"--captions {captionsFile}: line {lineNumber} has {fields.Length} column(s); the header has {header.Length}");
            var image = fields[imageColumn].Trim();
            var caption = fields[captionColumn].Trim();
            if (image.Length == 0 || caption.Length == 0)
                throw new InputException($"--captions {captionsFile}: line {lineNumber} has an empty {(image.Length == 0 ? "image" : "caption")}");
            if (subset is not null && !subset.Contains(System.IO.Path.GetFileName(image))) continue;
            rows.Add((image, caption));
        }
        if (rows.Count == 0)
            throw new InputException(subset is null
                ? $"--captions {captionsFile}: the file has a header but no captions"
                : $"--captions {captionsFile}: none of its images is named in the --subset list");

        return rows;
    }

    /// <summary>The same pairs without the images at the given indices (and their captions).</summary>
    public CaptionSet Without(IReadOnlySet<int> imageIndices)
    {
        if (imageIndices.Count == 0) return this;
        var map = new int[Images.Count];
        var images = new List<string>();
        for (var i = 0; i < Images.Count; i++)
        {
            map[i] = imageIndices.Contains(i) ? -1 : images.Count;
            if (map[i] >= 0) images.Add(Images[i]);
        }
        var captions = new List<string>();
        var owners = new List<int>();
        for (var c = 0; c < Captions.Count; c++)
        {
            if (map[Owners[c]] < 0) continue;
            captions.Add(Captions[c]);
            owners.Add(map[Owners[c]]);
        }
        return new CaptionSet(images, captions, owners);
    }
}
