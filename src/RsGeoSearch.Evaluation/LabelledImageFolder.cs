using RsGeoSearch.Core;
using RsGeoSearch.Pipeline;

namespace RsGeoSearch.Evaluation;

/// <summary>
/// A folder of class sub-folders (the ImageFolder layout: FOLDER/&lt;class&gt;/&lt;image&gt;, images found recursively).
/// Classes are the sub-folders in ordinal order; every one is a zero-shot candidate, even one without images.
/// </summary>
public sealed class LabelledImageFolder
{
    private LabelledImageFolder(string root, IReadOnlyList<EvalClass> classes, IReadOnlyList<LabelledImage> images)
    {
        Root = root;
        Classes = classes;
        Images = images;
    }

    public string Root { get; }
    public IReadOnlyList<EvalClass> Classes { get; }

    /// <summary>Every image, ordered by full path (ordinal).</summary>
    public IReadOnlyList<LabelledImage> Images { get; }

    /// <param name="folder">The folder of class sub-folders.</param>
    /// <param name="labels">Folder name → label text; folders it does not name get <see cref="ClassNames.FromFolder"/>.</param>
    /// <param name="subset">When given, only images whose file names are in it.</param>
    public static LabelledImageFolder Load(string folder, IReadOnlyDictionary<string, string>? labels = null, IReadOnlySet<string>? subset = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (File.Exists(folder)) throw new InputException($"{folder} is a file; give a folder of class sub-folders (FOLDER/<class>/<image>)");
        if (!Directory.Exists(folder)) throw new InputException($"{folder}: no such folder");
        var root = System.IO.Path.GetFullPath(folder);
        var folders = Directory.EnumerateDirectories(root).Select(d => System.IO.Path.GetFileName(d)!)
            .Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        if (folders.Count == 0)
            throw new InputException($"{folder}: the folder has no class sub-folders; expected FOLDER/<class>/<image> (e.g. aid/Airport/airport_1.jpg)");
        if (labels is not null && labels.Keys.FirstOrDefault(k => !folders.Contains(k)) is { } unknown)
            throw new InputException($"--labels-file names '{unknown}', which is not a sub-folder of {folder} ({string.Join(", ", folders.Take(10))}{(folders.Count > 10 ? ", ..." : "")})");
        var classes = folders.Select((f, i) => new EvalClass(i, f, labels is not null && labels.TryGetValue(f, out var l) ? l : ClassNames.FromFolder(f))).ToList();
        if (classes.Count < 2) throw new InputException($"{folder}: zero-shot classification needs at least two class sub-folders; found only '{folders[0]}'");
        if (classes.GroupBy(c => c.Label, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup)
            throw new InputException($"{folder}: folders {string.Join(" and ", dup.Select(c => c.Folder))} both become the label '{dup.Key}'; map them apart with --labels-file");

        var images = new List<LabelledImage>();
        var all = 0;
        foreach (var c in classes)
        {
            foreach (var file in Directory.EnumerateFiles(System.IO.Path.Combine(root, c.Folder), "*", SearchOption.AllDirectories))
            {
                if (!RasterFiles.Extensions.Contains(System.IO.Path.GetExtension(file))) continue;
                all++;
                if (subset is null || subset.Contains(System.IO.Path.GetFileName(file))) images.Add(new LabelledImage(file, c.Index));
            }
        }
        if (all == 0)
            throw new InputException($"{folder}: the class sub-folders hold no images (.jpg, .png, .tif, .jp2 ...); expected FOLDER/<class>/<image>");
        if (images.Count == 0)
            throw new InputException($"{folder}: none of its {all} images is named in the --subset list");
        images.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new LabelledImageFolder(root, classes, images);
    }
}
