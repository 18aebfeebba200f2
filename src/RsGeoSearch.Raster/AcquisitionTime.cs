using RsGeoSearch.Core;

namespace RsGeoSearch.Raster;

/// <summary>
/// When a scene was acquired (UTC; the start of the period for year/month/day precision), where that came from,
/// and the text it was read from (e.g. "IMAGERY:ACQUISITIONDATETIME=..." or "file name 1985").
/// </summary>
public sealed record AcquisitionTime(DateTimeOffset Value, AcquisitionSource Source, AcquisitionPrecision Precision, string Evidence)
{
    /// <summary>The period the value stands for: [Value, end of its year/month/day/second].</summary>
    public TimeRange Period => new(Value, Precision switch
    {
        AcquisitionPrecision.Year => Value.AddYears(1).AddTicks(-1),
        AcquisitionPrecision.Month => Value.AddMonths(1).AddTicks(-1),
        AcquisitionPrecision.Day => Value.AddDays(1).AddTicks(-1),
        _ => Value,
    });
}
