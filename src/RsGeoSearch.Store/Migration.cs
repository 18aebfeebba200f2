namespace RsGeoSearch.Store;

/// <summary>One versioned schema change (an embedded Migrations/NNNN_name.sql).</summary>
public sealed record Migration(int Version, string Name, string Sql);
