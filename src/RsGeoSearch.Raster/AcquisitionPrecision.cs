namespace RsGeoSearch.Raster;

/// <summary>How precisely an acquisition time is known; the time is the start of that period (UTC).</summary>
public enum AcquisitionPrecision
{
    Year = 0,
    Month = 1,
    Day = 2,
    Second = 3,
}
