using System.Text.RegularExpressions;

namespace RsGeoSearch.Core.Features;

/// <summary>
/// The sensor of a scene for people ("Landsat", "NAIP", "Sentinel-2" ...), recognised from the words of its file and
/// folder names; null when none is recognised. Only the label leaves the server, never the path.
/// </summary>
public static partial class SensorName
{
    private static readonly (Regex Pattern, string Name)[] Known =
    [
        (Words("landsat|lc0[89]|le07|lt0[45]"), "Landsat"),
        (Words("sentinel-?2|s2[ab]_|tci"), "Sentinel-2"),
        (Words("sentinel-?1|s1[ab]_"), "Sentinel-1"),
        (Words("naip|m_[0-9]{7}"), "NAIP"),
        (Words("rapideye"), "RapidEye"),
        (Words("planetscope|psscene"), "PlanetScope"),
        (Words("worldview|wv0[1-4]|spacenet"), "WorldView"),
        (Words("drone|pix4d|uav"), "drone"),
        (Words("aerial|ortho"), "aerial photo"),
    ];

    private static Regex Words(string alternatives) =>
        new($"(^|[^a-z0-9])({alternatives})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    /// <summary>Looks at the file name and the two folders above it.</summary>
    public static string? Guess(string uri)
    {
        var parts = uri.Replace('\\', '/').TrimEnd('/').Split('/');
        var tail = string.Join('/', parts.Skip(Math.Max(0, parts.Length - 3)));
        foreach (var (pattern, name) in Known)
            if (pattern.IsMatch(tail)) return name;
        return null;
    }
}
