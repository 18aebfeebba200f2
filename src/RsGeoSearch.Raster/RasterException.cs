using RsGeoSearch.Core;

namespace RsGeoSearch.Raster;

/// <summary>A raster file that cannot be used: the message names the file and says what GDAL (or the tiler) found.</summary>
public sealed class RasterException : InputException
{
    public RasterException(string file, string problem) : base($"{file}: {problem}")
    {
        File = file;
        Problem = problem;
    }

    /// <summary>The path (or the name given to an in-memory image) of the raster.</summary>
    public string File { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
