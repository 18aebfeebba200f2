namespace RsGeoSearch.Inference.Tests;

/// <summary>Deletes the tiny model's temp folder after all tests of this assembly ran.</summary>
[SetUpFixture]
public class TestRunCleanup
{
    [OneTimeTearDown]
    public void DeleteTemporaryModels() => TinyClipFixture.DeleteIfCreated();
}
