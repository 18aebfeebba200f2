using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Store.Tests.Catalog;

/// <summary>
/// One database for every fixture in this namespace, started before them and deleted after: an embedded
/// cluster, or a local Citus cluster with RSGEO_TEST_TARGET=citus (see <see cref="TestDatabase"/>).
/// </summary>
[SetUpFixture]
public sealed class SharedDatabase
{
    private static TestDatabase? _database;

    public static string ConnectionString => _database?.ConnectionString
        ?? throw new InvalidOperationException("the shared test database is not started");

    /// <summary>The started database (its Citus cluster, when that is the target).</summary>
    public static TestDatabase Database => _database ?? throw new InvalidOperationException("the shared test database is not started");

    [OneTimeSetUp]
    public async Task StartAsync() => _database = await TestDatabase.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
        _database = null;
    }
}
