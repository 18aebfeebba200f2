namespace RsGeoSearch.Store.Tests.Catalog;

/// <summary>One embedded cluster for every fixture in this namespace, started before them and deleted after.</summary>
[SetUpFixture]
public sealed class SharedDatabase
{
    private static TemporaryCluster? _cluster;

    public static string ConnectionString => _cluster?.Cluster.GetConnectionString()
        ?? throw new InvalidOperationException("the shared test database is not started");

    [OneTimeSetUp]
    public async Task StartAsync() => _cluster = await TemporaryCluster.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        _cluster = null;
    }
}
