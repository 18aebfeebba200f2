using System.Text.RegularExpressions;

namespace RsGeoSearch.Api.Http;

/// <summary>
/// Hides the server's absolute file paths in texts sent to HTTP clients (messages written for the command line,
/// such as a model search listing the folders it looked in): each becomes "(a server folder)".
/// </summary>
internal static partial class ServerPaths
{
    [GeneratedRegex(@"(?<![\w.:/])(?:/[\w.@~+-]+){2,}/?|\b[A-Za-z]:\\(?:[\w.@~+ -]+\\?)+")]
    private static partial Regex AbsolutePath();

    public static string Hide(string text) => AbsolutePath().Replace(text, "(a server folder)");
}
