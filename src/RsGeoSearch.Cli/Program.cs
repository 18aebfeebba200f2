using System.CommandLine;
using RsGeoSearch.Cli;

// rsgeo: one file per command under Commands/, each exposing a static Create().
var root = new RootCommand("RsGeoSearch: natural-language search over georeferenced imagery");
foreach (var command in CommandList.All()) root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
