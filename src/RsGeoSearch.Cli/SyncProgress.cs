namespace RsGeoSearch.Cli;

/// <summary>
/// The CLI's one <see cref="IProgress{T}"/>: reports on the calling thread, in order (<see cref="Progress{T}"/> would
/// post each report to the thread pool, reordering lines and updating a Spectre progress bar after the job ended).
/// </summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
