namespace RsGeoSearch.Eval.Tests;

/// <summary>Once per test run: removes the tiny model exported for the run.</summary>
[SetUpFixture]
public class TestRun
{
    [OneTimeTearDown]
    public void RemoveTinyModel() => EvalEnvironment.CleanUp();
}
