namespace RsGeoSearch.Raster;

/// <summary>Finds candidate raster files in a folder for a folder run (sidecars such as .aux.xml, .ovr and world files are left out).</summary>
public static class RasterFiles
{
    /// <summary>File extensions tried by default (GDAL decides in the end; files it cannot open become per-file errors).</summary>
    public static readonly IReadOnlyList<string> Extensions =
        [".tif", ".tiff", ".jp2", ".j2k", ".png", ".jpg", ".jpeg", ".img", ".vrt", ".ntf", ".webp", ".gif", ".bmp"];

    /// <summary>A file given directly is returned as is; a folder is searched (recursively by default), sorted by path.</summary>
    public static IReadOnlyList<string> Find(string fileOrFolder, bool recursive = true)
    {
        if (File.Exists(fileOrFolder)) return [fileOrFolder];
        if (!Directory.Exists(fileOrFolder)) throw new RasterException(fileOrFolder, "no such file or folder");
        return Directory.EnumerateFiles(fileOrFolder, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
