using Npgsql;
using RsGeoSearch.Core;
using Microsoft.ML.OnnxRuntime;
using RsGeoSearch.Inference.Onnx;
using RsGeoSearch.Raster;
using RsGeoSearch.Store;
using RsGeoSearch.Store.Cluster;

namespace RsGeoSearch.Cli;

/// <summary>
/// Runs every command's action (db included) and turns the errors a user can fix into one clear line and exit code 2
/// (<see cref="InputError"/>); failures of the database or the runtime exit 1, a cancelled run 130.
/// </summary>
internal static class CommandRunner
{
    public const int InputError = 2;
    public const int Failure = 1;

    public static Task<int> RunAsync(string command, Func<int> action) => RunAsync(command, () => Task.FromResult(action()));

    public static async Task<int> RunAsync(string command, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        // A Citus node that is missing or down names what to run (./setup.sh --citus, rsgeo db start): the user's to fix.
        catch (Exception e) when (e is InputException or RasterException or NotFoundException or CitusNodeException)
        {
            Console.Error.WriteLine($"rsgeo {command}: error: {e.Message}");
            return InputError;
        }
        catch (Exception e) when (e is StoreException or OnnxRuntimeException or ServiceUnavailableException or NpgsqlException or IOException)
        {
            Console.Error.WriteLine($"rsgeo {command}: error: {e.Message}");
            return Failure;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"rsgeo {command}: cancelled");
            return 130;
        }
    }

    /// <summary>
    /// Builds a Core request; a rule it breaks names the HTTP parameter (min_relevance), which the CLI reports as its
    /// option (--min-relevance). The query text is an argument, not an option, and keeps Core's wording.
    /// </summary>
    public static T WithOptionNames<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (InputException e) when (e.Field is { } field && field != "q" && e.Message.StartsWith(field, StringComparison.Ordinal))
        {
            throw new InputException($"--{field.Replace('_', '-')}{e.Message[field.Length..]}", e);
        }
    }

    /// <summary>Parses "1,2,3" into chip ids.</summary>
    public static IReadOnlyList<long> ParseIds(string? text, string option)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var ids = new List<long>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(part, out var id) || id < 1) throw new InputException($"{option}: '{part}' is not a chip id (a positive integer)");
            ids.Add(id);
        }
        return ids;
    }
}
