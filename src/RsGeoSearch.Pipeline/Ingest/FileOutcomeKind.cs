namespace RsGeoSearch.Pipeline.Ingest;

public enum FileOutcomeKind
{
    /// <summary>Chips were written (a new scene, or one resumed after an interrupted run).</summary>
    Ingested,
    /// <summary>The scene (same content hash) was already complete for this model.</summary>
    Skipped,
    /// <summary>The file could not be read; <see cref="FileOutcome.Message"/> says why and what to do.</summary>
    Failed,
}
