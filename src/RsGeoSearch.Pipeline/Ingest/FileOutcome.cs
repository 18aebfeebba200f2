namespace RsGeoSearch.Pipeline.Ingest;

/// <summary>What happened to one input file.</summary>
public sealed record FileOutcome(string Path, FileOutcomeKind Kind, long SceneId, long ChipsWritten, long ChipsInScene, string? Message);
