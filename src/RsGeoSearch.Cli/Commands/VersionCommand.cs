using System.CommandLine;
using System.Reflection;

namespace RsGeoSearch.Cli.Commands;

internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print the program version");
        command.SetAction(_ =>
        {
            Console.WriteLine($"rsgeo {Assembly.GetExecutingAssembly().GetName().Version}");
            return 0;
        });
        return command;
    }
}
