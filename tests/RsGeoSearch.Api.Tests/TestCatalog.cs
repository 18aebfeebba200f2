using RsGeoSearch.Core;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Api.Tests;

/// <summary>
/// The one real catalogue every test uses, created once per test run: an embedded PostgreSQL with the NAIP series
/// (10 dates, 12 chips each) ingested through GDAL and ONNX Runtime with the tiny CLIP-shaped test model.
/// </summary>
[SetUpFixture]
public sealed class TestCatalog
{
    private static readonly Lazy<Task<IngestedCatalog>> Shared = new(() =>
        IngestedCatalog.CreateAsync(TestModels.TinyClip, [Path.Combine("rasters", "naip-north-dakota")]));

    public static async Task<IChipCatalog> GetAsync() => (await Shared.Value).Catalog;

    /// <summary>The database behind the catalogue (tests stop and restart it).</summary>
    public static async Task<TestDatabase> DatabaseAsync() => (await Shared.Value).Database;

    [OneTimeTearDown]
    public async Task DisposeAsync()
    {
        if (Shared.IsValueCreated) await (await Shared.Value).DisposeAsync();
    }
}
