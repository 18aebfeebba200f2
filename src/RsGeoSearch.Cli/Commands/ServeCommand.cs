using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using RsGeoSearch.Api;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Search;
using RsGeoSearch.Raster;
using RsGeoSearch.Store;

namespace RsGeoSearch.Cli.Commands;

/// <summary>
/// <c>rsgeo serve</c>: the JSON API, OGC API - Features (/ogc) and WFS 2.0 (/wfs) over the catalogue
/// (embedded database unless --database / RSGEO_DATABASE_URL, models from the model search path).
/// </summary>
internal static class ServeCommand
{
    public const string ApiKeyEnvironmentVariable = "RSGEO_API_KEY";

    public static Command Create()
    {
        var command = new Command("serve", "Serve the JSON API, OGC API - Features (/ogc) and WFS 2.0 (/wfs) for map clients");
        var connection = new DbCommand.ConnectionOptions();
        connection.AddTo(command);
        var models = new ModelsCommand.ModelOptions();
        models.AddTo(command);
        var port = new Option<int>("--port") { Description = "TCP port to listen on", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "Address to listen on (0.0.0.0: every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var apiKeyFile = new Option<FileInfo?>("--api-key-file")
        {
            Description = $"File holding the API key that POST /classify, /similarity and /embed need (default: ${ApiKeyEnvironmentVariable}; none: they are open)",
        };
        var cors = new Option<string[]>("--cors") { Description = "An origin allowed by CORS (repeat for more; * for any)", AllowMultipleArgumentsPerToken = true };
        var maxUpload = new Option<int>("--max-upload-mb") { Description = "Largest accepted image upload in MB", DefaultValueFactory = _ => 20 };
        var timeout = new Option<int>("--timeout") { Description = "Per-request time limit in seconds", DefaultValueFactory = _ => 30 };
        var maxLimit = new Option<int>("--max-limit") { Description = "Largest page a client may ask for", DefaultValueFactory = _ => 1000 };
        var publicUrl = new Option<string?>("--public-url") { Description = "Base URL written into links when behind a proxy, e.g. https://maps.example.org/rsgeo" };
        foreach (var option in new Option[] { port, host, apiKeyFile, cors, maxUpload, timeout, maxLimit, publicUrl }) command.Options.Add(option);

        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("serve", async () =>
        {
            try
            {
                var options = new ApiOptions
                {
                    Urls = [$"http://{FormatHost(parseResult.GetValue(host)!)}:{Checked(parseResult.GetValue(port), 0, 65535, "--port")}"],
                    ApiKey = ReadApiKey(parseResult.GetValue(apiKeyFile)),
                    CorsOrigins = parseResult.GetValue(cors) ?? [],
                    MaxUploadBytes = Checked(parseResult.GetValue(maxUpload), 1, 1024, "--max-upload-mb") * 1024L * 1024L,
                    RequestTimeout = TimeSpan.FromSeconds(Checked(parseResult.GetValue(timeout), 1, 3600, "--timeout")),
                    MaxLimit = Checked(parseResult.GetValue(maxLimit), 1, SearchQuery.MaxLimit, "--max-limit"),
                    PublicUrl = parseResult.GetValue(publicUrl),
                    WebRoot = RepositoryPaths.TryRoot() is { } root ? Path.Combine(root, "plugins", "web", "dist") : null,
                };
                var store = await connection.OpenStoreAsync(parseResult, ct);
                using var modelCache = new ModelCache(ModelRegistry.Default(), parseResult.GetValue(models.Model), models.Settings(parseResult));
                await using var catalog = new SearchService(store, modelCache, ownsStore: true);
                _ = modelCache.Get(null); // load the default model now: a missing model fails here, not on the first request
                var app = RsGeoApi.Build(catalog, options, b => b.Services.AddSingleton<IVectorConverter>(new GdalVectorConverter()));
                await app.StartAsync(ct);
                foreach (var url in app.Urls)
                    Console.Error.WriteLine($"rsgeo serve: listening on {url}  (API {url}/search, OGC API {url}/ogc, WFS {url}/wfs)");
                await app.WaitForShutdownAsync(ct);
                await app.DisposeAsync();
                return 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 0; // Ctrl-C: a normal shutdown
            }
        }));
        return command;
    }

    /// <summary>The key from the file (first line, trimmed) or the environment; never printed.</summary>
    private static string? ReadApiKey(FileInfo? file)
    {
        string? key;
        if (file is not null)
        {
            if (!file.Exists) throw new InputException($"--api-key-file {file.FullName} does not exist");
            key = File.ReadLines(file.FullName).FirstOrDefault()?.Trim();
            if (string.IsNullOrEmpty(key)) throw new InputException($"--api-key-file {file.FullName} is empty; put the key on its first line");
        }
        else key = Environment.GetEnvironmentVariable(ApiKeyEnvironmentVariable)?.Trim();
        if (key is { Length: > 0 and < 16 }) throw new InputException("the API key is shorter than 16 characters; use a long random one (e.g. openssl rand -hex 24)");
        return string.IsNullOrEmpty(key) ? null : key;
    }

    private static int Checked(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new InputException($"{name} {value} must be between {min} and {max}");

    private static string FormatHost(string host) => host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host;
}
