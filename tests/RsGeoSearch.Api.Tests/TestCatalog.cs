using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Tests;

/// <summary>The one catalogue every test uses, created once per test run.</summary>
public static class TestCatalog
{
    private static readonly Lazy<Task<IChipCatalog>> Shared = new(CreateAsync);

    public static Task<IChipCatalog> GetAsync() => Shared.Value;

    private static Task<IChipCatalog> CreateAsync() => Task.FromResult<IChipCatalog>(new StandInCatalog());
}
