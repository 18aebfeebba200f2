using System.CommandLine;
using RsGeoSearch.Cli.Commands;

namespace RsGeoSearch.Cli;

/// <summary>Every top-level rsgeo command, in the order `rsgeo --help` lists them.</summary>
internal static class CommandList
{
    public static IEnumerable<Command> All()
    {
        yield return DemoCommand.Create();
        yield return DbCommand.Create();
        yield return IngestCommand.Create();
        yield return SearchCommand.Create();
        yield return ChangesCommand.Create();
        yield return ClassifyCommand.Create();
        yield return SimilarityCommand.Create();
        yield return EmbedCommand.Create();
        yield return EvalCommand.Create();
        yield return ModelsCommand.Create();
        yield return ServeCommand.Create();
    }
}
