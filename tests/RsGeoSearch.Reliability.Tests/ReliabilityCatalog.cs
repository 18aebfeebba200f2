using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Reliability.Tests;

/// <summary>
/// The catalogue the HTTP tests share, created once per run: an embedded PostgreSQL with the NAIP series (10 dates),
/// the Colorado aerial image and the RapidEye clip ingested with the tiny CLIP-shaped model.
/// </summary>
[SetUpFixture]
public sealed class ReliabilityCatalog
{
    private static readonly Lazy<Task<IngestedCatalog>> Shared = new(() => IngestedCatalog.CreateAsync(TestModels.TinyClip,
    [
        Path.Combine("rasters", "naip-north-dakota"), Path.Combine("rasters", "aerial-colorado"), Path.Combine("rasters", "rapideye-sanfrancisco"),
    ]));

    public static Task<IngestedCatalog> GetAsync() => Shared.Value;

    [OneTimeTearDown]
    public async Task DisposeAsync()
    {
        if (Shared.IsValueCreated) await (await Shared.Value).DisposeAsync();
    }
}
