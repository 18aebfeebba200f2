namespace RsGeoSearch.Core;

/// <summary>Where a scene's acquisition time came from.</summary>
public enum AcquisitionSource
{
    Unknown = 0,
    Metadata = 1,
    FileName = 2,
    Explicit = 3,
}
