using Npgsql;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Pipeline.Ingest;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Reliability.Tests;

/// <summary>
/// A folder of 20+ bad rasters among good ones: every bad one is reported with its reason (in the ingest report and
/// on rsgeo ingest's stderr, with a non-zero exit code), every good one is ingested, and a re-run adds nothing.
/// </summary>
[TestFixture]
public sealed class BadRasterTests
{
    private BadRasterFolder folder = null!;

    [OneTimeSetUp]
    public void CreateFolder() => folder = BadRasterFolder.Create();

    [OneTimeTearDown]
    public void DeleteFolder() => folder.Dispose();

    [Test]
    public async Task PipelineReportsEachBadRasterWithItsReasonAndIngestsEveryGoodOne()
    {
        Assert.That(folder.Bad, Has.Count.GreaterThanOrEqualTo(20));
        await using var db = await TestDatabase.StartAsync();
        using var models = new ModelCache(new ModelRegistry([]), TestModels.TinyClip);
        var files = RasterFiles.Expand([folder.Root]);

        var report = await new IngestPipeline(db.Store, models.Get(null)).RunAsync(files);
        TestContext.Out.WriteLine($"{report.Files.Count} files: {report.Files.Count(f => f.Kind == FileOutcomeKind.Ingested)} ingested, {report.Failures.Count()} failed");
        foreach (var f in report.Files) TestContext.Out.WriteLine($"  {f.Kind,-8} {f.ChipsWritten,3} chips  {Path.GetFileName(f.Path)}: {f.Message}");

        Assert.That(report.Files.Select(f => f.Path), Is.Unique);
        Assert.That(files, Does.Not.Contain(folder.PathOf("folder.tif")), "a directory named x.tif is searched as a folder, never opened as a file");
        foreach (var (name, reason) in folder.Bad)
        {
            var outcome = report.Files.SingleOrDefault(f => f.Path == folder.PathOf(name));
            Assert.That(outcome, Is.Not.Null, $"{name} was not reported at all");
            Assert.That(outcome!.Kind, Is.EqualTo(FileOutcomeKind.Failed), $"{name}: {outcome.Kind} {outcome.Message}");
            Assert.That(outcome.Message, Does.Contain(reason).IgnoreCase, name);
            Assert.That(outcome.Message, Does.Contain(name), "the message names the file");
            Assert.That(outcome.ChipsWritten, Is.Zero, name);
        }
        foreach (var name in folder.Good)
        {
            var outcome = report.Files.Single(f => f.Path == folder.PathOf(name));
            Assert.That(outcome.Kind, Is.EqualTo(FileOutcomeKind.Ingested), $"{name}: {outcome.Message}");
            Assert.That(outcome.ChipsWritten, Is.GreaterThan(0), name);
            Assert.That(outcome.ChipsWritten, Is.EqualTo(outcome.ChipsInScene), name);
        }
        Assert.That(report.Files, Has.Count.EqualTo(folder.Bad.Count + folder.Good.Count));

        var first = await StoreSnapshot.TakeAsync(db.ConnectionString);
        var goodChips = report.Files.Where(f => f.Kind == FileOutcomeKind.Ingested).Sum(f => f.ChipsWritten);
        Assert.That(first.Rows("chips"), Is.EqualTo(goodChips), "only the good rasters' chips are stored");
        Assert.That(first.Rows("embeddings"), Is.EqualTo(goodChips));
        Assert.That(await CompletedScenesAsync(db.ConnectionString), Is.EquivalentTo(folder.Good.Select(folder.PathOf)));

        // A re-run: good ones are skipped by content hash, bad ones fail again for the same reason, nothing is duplicated.
        var again = await new IngestPipeline(db.Store, models.Get(null)).RunAsync(files);
        Assert.That(again.ChipsWritten, Is.Zero);
        Assert.That(again.Files.Where(f => f.Kind == FileOutcomeKind.Skipped).Select(f => f.Path), Is.EquivalentTo(folder.Good.Select(folder.PathOf)));
        Assert.That(again.Failures.Select(f => f.Path), Is.EquivalentTo(folder.Bad.Keys.Select(folder.PathOf)));
        var second = await StoreSnapshot.TakeAsync(db.ConnectionString);
        Assert.That(second.SameAs(first), Is.True, $"before {first}\nafter  {second}");
    }

    [Test]
    public async Task RsgeoIngestListsEachBadRasterOnStderrAndExitsNonZero()
    {
        await using var db = await TestDatabase.StartAsync();
        var (code, stdout, stderr) = Rsgeo.Run("ingest", folder.Root, "--data-dir", db.Directory, "--model", TestModels.TinyClip);
        TestContext.Out.WriteLine(stdout);
        TestContext.Out.WriteLine(stderr);
        Assert.That(code, Is.Not.Zero, "failures make the exit code non-zero");
        var failedLines = stderr.Split('\n').Where(l => l.TrimStart().StartsWith("failed: ", StringComparison.Ordinal)).ToList();
        Assert.That(failedLines, Has.Count.EqualTo(folder.Bad.Count), stderr);
        foreach (var (name, reason) in folder.Bad)
            Assert.That(failedLines.Any(l => l.Contains(folder.PathOf(name), StringComparison.Ordinal) && l.Contains(reason, StringComparison.OrdinalIgnoreCase)),
                $"stderr has no line for {name} with '{reason}'");
        Assert.That(stdout, Does.Contain($"{folder.Good.Count} file(s) ingested").And.Contain($"{folder.Bad.Count} failed"));
        var first = await StoreSnapshot.TakeAsync(db.ConnectionString);

        var (code2, stdout2, _) = Rsgeo.Run("ingest", folder.Root, "--data-dir", db.Directory, "--model", TestModels.TinyClip);
        Assert.That(code2, Is.Not.Zero);
        Assert.That(stdout2, Does.Contain($"0 file(s) ingested, {folder.Good.Count} already there, {folder.Bad.Count} failed; 0 chips written"));
        var second = await StoreSnapshot.TakeAsync(db.ConnectionString);
        Assert.That(second.SameAs(first), Is.True, $"before {first}\nafter  {second}");
    }

    private static async Task<List<string>> CompletedScenesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT s.uri FROM rsgeo.scenes s JOIN rsgeo.scene_models m ON m.scene_id = s.id WHERE m.completed_at IS NOT NULL", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var uris = new List<string>();
        while (await reader.ReadAsync()) uris.Add(reader.GetString(0));
        return uris;
    }
}
