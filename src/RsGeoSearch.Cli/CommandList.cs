using System.CommandLine;
using RsGeoSearch.Cli.Commands;

namespace RsGeoSearch.Cli;

/// <summary>Every top-level rsgeo command, in the order `rsgeo --help` lists them.</summary>
internal static class CommandList
{
    public static IEnumerable<Command> All()
    {
        yield return VersionCommand.Create();
        yield return DbCommand.Create();
        yield return ModelsCommand.Create();
    }
}
