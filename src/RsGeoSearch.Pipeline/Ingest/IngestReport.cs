namespace RsGeoSearch.Pipeline.Ingest;

/// <summary>The result of an ingest run: one outcome per file and totals.</summary>
public sealed record IngestReport(string Model, IReadOnlyList<FileOutcome> Files, TimeSpan Elapsed)
{
    public long ChipsWritten => Files.Sum(f => f.ChipsWritten);
    public IEnumerable<FileOutcome> Failures => Files.Where(f => f.Kind == FileOutcomeKind.Failed);
    public double ChipsPerSecond => Elapsed.TotalSeconds > 0 ? ChipsWritten / Elapsed.TotalSeconds : 0;
}
