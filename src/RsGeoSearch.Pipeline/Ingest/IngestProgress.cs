namespace RsGeoSearch.Pipeline.Ingest;

/// <summary>A snapshot of a running ingest: chips stored so far of the (estimated) total, and the file being read.</summary>
public readonly record struct IngestProgress(long ChipsDone, long ChipsTotal, int FilesDone, int FilesTotal, string? CurrentFile);
