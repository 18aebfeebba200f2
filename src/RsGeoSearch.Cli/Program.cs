using System.CommandLine;
using RsGeoSearch.Cli;

// rsgeo: one file per command under Commands/, each exposing a static Create().
var root = new RootCommand("RsGeoSearch: natural-language search over georeferenced imagery");
foreach (var command in CommandList.All()) root.Subcommands.Add(command);
var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
if (parsed.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
{
    // Bad input exits 2 like every other input error (System.CommandLine's own code is 1).
    var name = string.Join(' ', parsed.CommandResult.Command == root ? ["rsgeo"] : ["rsgeo", .. args.TakeWhile(a => !a.StartsWith('-')).Take(2)]);
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"{name}: error: {error.Message}");
    Console.Error.WriteLine($"see `{name} --help`");
    return 2;
}
return await parsed.InvokeAsync();
