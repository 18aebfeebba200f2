namespace RsGeoSearch.Pipeline.Tests;

/// <summary>
/// Every rsgeo command, db included, shares one error runner: bad input is one line naming the problem and exit code 2
/// (README). These inputs are refused before any database is reached.
/// </summary>
public sealed class CliErrorTests
{
    [TestCase("db", "status", "--database", "postgresql://rsgeo@localhost:notaport/rsgeo", "not a port number")]
    [TestCase("db", "start", "--database", "postgresql://rsgeo@localhost/rsgeo", "--data-dir", "/tmp/rsgeo-never-created", "give only one")]
    [TestCase("db", "start", "--workers", "0", "--data-dir", "/tmp/rsgeo-never-created", "give 1 to 32 workers")]
    [TestCase("db", "stop", "--database", "postgresql://rsgeo@localhost/rsgeo", "external server")]
    [TestCase("models", "show", "no-such-model", "no-such-model")]
    [TestCase("db", "index", "--model", "m", "--kind", "annoy", "--data-dir", "/tmp/rsgeo-never-created", "'annoy' not recognized")]
    [TestCase("db", "index", "--kind", "ivfflat", "--data-dir", "/tmp/rsgeo-never-created", "'--model' is required")]
    public void Bad_input_exits_2_with_one_line(params string[] args)
    {
        var reason = args[^1];
        var (code, stdout, stderr) = Rsgeo.Run(args[..^1]);
        Assert.That(code, Is.EqualTo(2), stdout + stderr);
        Assert.That(stderr, Does.Contain($"rsgeo {args[0]} {args[1]}: error: ").And.Contain(reason));
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(Directory.Exists("/tmp/rsgeo-never-created"), Is.False, "nothing was created");
    }
}
