namespace RsGeoSearch.Store;

/// <summary>How many migrations ran now, and the schema version after them.</summary>
public sealed record MigrationResult(int Applied, int Version, string PostGisVersion, string VectorVersion);
