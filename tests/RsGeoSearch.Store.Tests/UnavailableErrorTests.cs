using Npgsql;
using RsGeoSearch.Store.Cluster;

namespace RsGeoSearch.Store.Tests;

/// <summary>
/// Which database errors mean "unavailable for now" (HTTP 503, a retry helps) rather than a failed request (500):
/// the error texts a Citus coordinator reports when a worker is lost, as recorded from killed workers.
/// </summary>
public sealed class UnavailableErrorTests
{
    private static PostgresException Error(string sqlState, string message, string? where = null) =>
        new(message, "ERROR", "ERROR", sqlState, where: where);

    [TestCase("server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.")]
    [TestCase("failure on connection marked as essential: localhost:5433")]
    [TestCase("connection to the remote node localhost:5433 failed with the following error: Connection refused")]
    [TestCase("could not establish any connections to the node localhost:5433 after 5000 ms")]
    public void A_lost_worker_reported_by_the_coordinator_is_unavailable(string message)
    {
        var e = Error(PostgresErrorCodes.InternalError, message, "while executing command on localhost:5433");
        Assert.That(CitusTopology.IsWorkerConnectionFailure(e), Is.True);
        Assert.That(CatalogStore.IsUnavailable(e), Is.True);
    }

    [TestCase(PostgresErrorCodes.InternalError, "could not find valid entry for shard 102008")]
    [TestCase(PostgresErrorCodes.UndefinedColumn, "column \"foo\" does not exist")]
    [TestCase(PostgresErrorCodes.UniqueViolation, "duplicate key value violates unique constraint \"chips_grid\"")]
    public void Other_errors_are_not_unavailability(string sqlState, string message)
    {
        var e = Error(sqlState, message);
        Assert.That(CitusTopology.IsWorkerConnectionFailure(e), Is.False);
        Assert.That(CatalogStore.IsUnavailable(e), Is.False);
    }

    [TestCase(PostgresErrorCodes.AdminShutdown)]
    [TestCase(PostgresErrorCodes.CrashShutdown)]
    [TestCase(PostgresErrorCodes.ConnectionFailure)]
    [TestCase(PostgresErrorCodes.TooManyConnections)]
    public void Shutdowns_and_connection_failures_are_unavailable(string sqlState) =>
        Assert.That(CatalogStore.IsUnavailable(Error(sqlState, "the server is going away")), Is.True);
}
