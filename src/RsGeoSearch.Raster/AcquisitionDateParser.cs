using System.Globalization;
using System.Text.RegularExpressions;
using RsGeoSearch.Core;

namespace RsGeoSearch.Raster;

/// <summary>
/// Finds when a scene was acquired. Order: an explicit value; acquisition metadata (IMAGERY:ACQUISITIONDATETIME,
/// ACQUISITION_DATE, DATE_ACQUIRED, SENSING_TIME, Sentinel-2 product names in PRODUCT_URI, ... in any domain);
/// the file name (Sentinel-2 style 20221005T115411, 2017-03-08, 20090818, a 201404 prefix = April 2014, a bare
/// year such as 1985.tif); last, TIFFTAG_DATETIME (which the TIFF standard defines as the file's creation time).
/// All times are UTC.
/// </summary>
public static partial class AcquisitionDateParser
{
    private const int MinYear = 1900;
    private const int MaxYear = 2100;
    private const int MinBareYear = 1950;

    /// <summary>Acquisition metadata keys, best first (case-insensitive).</summary>
    private static readonly string[] AcquisitionKeys =
    [
        "ACQUISITIONDATETIME", "ACQUISITION_DATETIME", "ACQUISITION_DATE", "ACQUISITIONDATE", "DATE_ACQUIRED",
        "SENSING_TIME", "DATATAKE_1_DATATAKE_SENSING_START", "PRODUCT_START_TIME", "SENSING_START", "START_TIME",
        "IMAGE_DATE", "DATETIME_ORIGINAL", "EXIF_DATETIMEORIGINAL", "DATETIME",
    ];

    private static readonly string[] ProductNameKeys = ["PRODUCT_URI", "PRODUCT_NAME", "PRODUCT_ID", "LANDSAT_PRODUCT_ID", "DATASTRIP_ID", "GRANULE_ID"];

    private static readonly string[] SkippedDomains = ["IMAGE_STRUCTURE", "DERIVED_SUBDATASETS", "SUBDATASETS", "RPC", "GEOLOCATION", "COLOR_PROFILE"];

    /// <summary>The acquisition time of an open raster: explicit, else metadata, else file name, else TIFFTAG_DATETIME; null when none.</summary>
    public static AcquisitionTime? Resolve(RasterDataset dataset, DateTimeOffset? explicitValue = null)
    {
        if (explicitValue is { } e)
            return new AcquisitionTime(e.ToUniversalTime(), AcquisitionSource.Explicit,
                e.TimeOfDay == TimeSpan.Zero ? AcquisitionPrecision.Day : AcquisitionPrecision.Second, "explicit");
        var domains = ReadDomains(dataset);
        return FromMetadata(domains) ?? FromFileName(dataset.Path) ?? FromTiffDateTime(domains);
    }

    /// <summary>Parses an explicit --acquired value (2020-08-31, 2020-08-31T10:00:00Z, 2020-08, 1985).</summary>
    public static AcquisitionTime ParseExplicit(string text)
    {
        var t = text.Trim();
        if (Regex.IsMatch(t, @"^\d{4}$") && int.TryParse(t, CultureInfo.InvariantCulture, out var y) && y is >= 1 and <= 9999)
            return new AcquisitionTime(new DateTimeOffset(y, 1, 1, 0, 0, 0, TimeSpan.Zero), AcquisitionSource.Explicit, AcquisitionPrecision.Year, t);
        var m = Regex.Match(t, @"^(\d{4})-(\d{2})$");
        if (m.Success && Date(m.Groups[1].Value, m.Groups[2].Value, "01") is { } month)
            return new AcquisitionTime(month, AcquisitionSource.Explicit, AcquisitionPrecision.Month, t);
        var parsed = ParseValue(t) ?? throw new InputException(
            $"acquired '{text}' is not a date; use 2020-08-31, 2020-08-31T10:00:00Z, 2020-08 or 1985");
        return parsed with { Source = AcquisitionSource.Explicit };
    }

    /// <summary>Acquisition metadata in any of the given domains (TIFFTAG_DATETIME excluded); null when none parses.</summary>
    public static AcquisitionTime? FromMetadata(IReadOnlyList<(string Domain, IReadOnlyDictionary<string, string> Items)> domains)
    {
        // IMAGERY is GDAL's standard domain for acquisition metadata: look there first.
        var ordered = domains.OrderBy(d => string.Equals(d.Domain, "IMAGERY", StringComparison.OrdinalIgnoreCase) ? 0 : 1).ToList();
        foreach (var key in AcquisitionKeys)
        foreach (var (domain, items) in ordered)
        {
            if (!items.TryGetValue(key, out var value) || ParseValue(value) is not { } t) continue;
            return t with { Evidence = $"{(domain.Length == 0 ? "" : domain + ":")}{key}={value}" };
        }
        foreach (var key in ProductNameKeys)
        foreach (var (domain, items) in ordered)
        {
            if (!items.TryGetValue(key, out var value) || FromName(value, allowShortForms: false) is not { } t) continue;
            return t with { Source = AcquisitionSource.Metadata, Evidence = $"{(domain.Length == 0 ? "" : domain + ":")}{key}={value}" };
        }
        return null;
    }

    /// <summary>From the file name (not the folders): see the class summary for the forms understood.</summary>
    public static AcquisitionTime? FromFileName(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return string.IsNullOrEmpty(name) ? null : FromName(name, allowShortForms: true);
    }

    /// <summary>TIFFTAG_DATETIME ("YYYY:MM:DD HH:MM:SS") in the default domain.</summary>
    public static AcquisitionTime? FromTiffDateTime(IReadOnlyList<(string Domain, IReadOnlyDictionary<string, string> Items)> domains)
    {
        foreach (var (domain, items) in domains)
        {
            if (items.TryGetValue("TIFFTAG_DATETIME", out var value) && ParseValue(value) is { } t)
                return t with { Evidence = $"{(domain.Length == 0 ? "" : domain + ":")}TIFFTAG_DATETIME={value}" };
        }
        return null;
    }

    /// <summary>
    /// Parses one metadata value: TIFF "YYYY:MM:DD HH:MM:SS", ISO 8601 dates and date-times (UTC unless an offset is
    /// given), or a Sentinel-2 style "YYYYMMDDTHHMMSS". Source = Metadata; null when it is not a date.
    /// </summary>
    public static AcquisitionTime? ParseValue(string value)
    {
        var v = value.Trim();
        if (v.Length == 0) return null;
        var tiff = TiffDateTime().Match(v);
        if (tiff.Success)
        {
            var g = tiff.Groups;
            return Date(g[1].Value, g[2].Value, g[3].Value) is { } d && Time(d, g[4].Value, g[5].Value, g[6].Value) is { } t
                ? new AcquisitionTime(t, AcquisitionSource.Metadata, AcquisitionPrecision.Second, v) : null;
        }
        var compact = CompactDateTime().Match(v);
        if (compact.Success && compact.Index == 0)
        {
            var g = compact.Groups;
            return Date(g[1].Value, g[2].Value, g[3].Value) is { } d && Time(d, g[4].Value, g[5].Value, g[6].Value) is { } t
                ? new AcquisitionTime(t, AcquisitionSource.Metadata, AcquisitionPrecision.Second, v) : null;
        }
        var dateOnly = IsoDate().Match(v);
        if (dateOnly.Success)
            return Date(dateOnly.Groups[1].Value, dateOnly.Groups[2].Value, dateOnly.Groups[3].Value) is { } d
                ? new AcquisitionTime(d, AcquisitionSource.Metadata, AcquisitionPrecision.Day, v) : null;
        if (IsoDateTimePrefix().IsMatch(v) && DateTimeOffset.TryParse(v.Replace(' ', 'T'), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var iso) && iso.Year is >= MinYear and <= MaxYear)
            return new AcquisitionTime(iso, AcquisitionSource.Metadata, AcquisitionPrecision.Second, v);
        return null;
    }

    private static AcquisitionTime? FromName(string name, bool allowShortForms)
    {
        foreach (Match m in CompactDateTime().Matches(name))
        {
            var g = m.Groups;
            if (Date(g[1].Value, g[2].Value, g[3].Value) is { } d && Time(d, g[4].Value, g[5].Value, g[6].Value) is { } t)
                return new AcquisitionTime(t, AcquisitionSource.FileName, AcquisitionPrecision.Second, $"file name {m.Value}");
        }
        foreach (Match m in SeparatedDate().Matches(name))
        {
            if (Date(m.Groups[1].Value, m.Groups[3].Value, m.Groups[4].Value) is { } d)
                return new AcquisitionTime(d, AcquisitionSource.FileName, AcquisitionPrecision.Day, $"file name {m.Value}");
        }
        foreach (Match m in EightDigits().Matches(name))
        {
            var s = m.Value;
            if (Date(s[..4], s[4..6], s[6..]) is { } d)
                return new AcquisitionTime(d, AcquisitionSource.FileName, AcquisitionPrecision.Day, $"file name {s}");
        }
        if (!allowShortForms) return null;
        foreach (Match m in SixDigits().Matches(name))
        {
            var s = m.Value;
            if (Date(s[..4], s[4..], "01", MinBareYear) is { } d)
                return new AcquisitionTime(d, AcquisitionSource.FileName, AcquisitionPrecision.Month, $"file name {s}");
        }
        foreach (Match m in FourDigits().Matches(name))
        {
            if (Date(m.Value, "01", "01", MinBareYear) is { } d)
                return new AcquisitionTime(d, AcquisitionSource.FileName, AcquisitionPrecision.Year, $"file name {m.Value}");
        }
        return null;
    }

    private static DateTimeOffset? Date(string year, string month, string day, int minYear = MinYear)
    {
        if (!int.TryParse(year, CultureInfo.InvariantCulture, out var y) || !int.TryParse(month, CultureInfo.InvariantCulture, out var mo)
            || !int.TryParse(day, CultureInfo.InvariantCulture, out var d)) return null;
        if (y < minYear || y > MaxYear || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo)) return null;
        return new DateTimeOffset(y, mo, d, 0, 0, 0, TimeSpan.Zero);
    }

    private static DateTimeOffset? Time(DateTimeOffset date, string hour, string minute, string second)
    {
        var h = int.Parse(hour, CultureInfo.InvariantCulture);
        var m = int.Parse(minute, CultureInfo.InvariantCulture);
        var s = int.Parse(second, CultureInfo.InvariantCulture);
        if (h > 23 || m > 59 || s > 60) return null;
        return date.AddHours(h).AddMinutes(m).AddSeconds(Math.Min(s, 59));
    }

    private static List<(string Domain, IReadOnlyDictionary<string, string> Items)> ReadDomains(RasterDataset dataset)
    {
        var names = new List<string> { "", "IMAGERY" };
        foreach (var d in dataset.MetadataDomains)
        {
            if (d.StartsWith("xml:", StringComparison.OrdinalIgnoreCase) || SkippedDomains.Contains(d, StringComparer.OrdinalIgnoreCase)) continue;
            if (!names.Contains(d, StringComparer.OrdinalIgnoreCase)) names.Add(d);
        }
        return names.Select(d => (d, dataset.Metadata(d))).Where(x => x.Item2.Count > 0).ToList();
    }

    [GeneratedRegex(@"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")]
    private static partial Regex TiffDateTime();

    [GeneratedRegex(@"(?<!\d)(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?!\d)")]
    private static partial Regex CompactDateTime();

    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})$")]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")]
    private static partial Regex IsoDateTimePrefix();

    [GeneratedRegex(@"(?<!\d)(\d{4})([-_.])(\d{2})\2(\d{2})(?!\d)")]
    private static partial Regex SeparatedDate();

    [GeneratedRegex(@"(?<!\d)\d{8}(?!\d)")]
    private static partial Regex EightDigits();

    [GeneratedRegex(@"(?<![0-9A-Za-z])\d{6}(?![0-9A-Za-z])")]
    private static partial Regex SixDigits();

    [GeneratedRegex(@"(?<![0-9A-Za-z])\d{4}(?![0-9A-Za-z])")]
    private static partial Regex FourDigits();
}
