using System.Globalization;

namespace RsGeoSearch.Core;

/// <summary>
/// A closed time interval; either end may be open (null). Instants are stored as UTC. The constructor refuses a
/// start after the end, so no TimeRange is reversed (<c>default</c> is <see cref="All"/>).
/// </summary>
public readonly record struct TimeRange
{
    public static readonly TimeRange All = new(null, null);

    /// <summary>Throws <see cref="InputException"/> (field datetime) when <paramref name="from"/> is after <paramref name="to"/>.</summary>
    public TimeRange(DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is not null && to is not null && from > to)
            throw new InputException("datetime", $"time range starts ({from:O}) after it ends ({to:O}): 'from' must be before 'to'");
        (From, To) = (from?.ToUniversalTime(), to?.ToUniversalTime());
    }

    public DateTimeOffset? From { get; }
    public DateTimeOffset? To { get; }

    public bool IsUnbounded => From is null && To is null;

    public bool Contains(DateTimeOffset t) => (From is null || t >= From) && (To is null || t <= To);

    /// <summary>The same as the constructor: a range from two optional ends; throws when From is after To.</summary>
    public static TimeRange Create(DateTimeOffset? from, DateTimeOffset? to) => new(from, to);

    /// <summary>
    /// A range from two optional texts (the CLI's --from/--to, the JSON API's from/to): a date as the start means
    /// its first instant, as the end its last; empty or ".." is open. Errors name <paramref name="fromName"/> or
    /// <paramref name="toName"/>.
    /// </summary>
    public static TimeRange FromEnds(string? from, string? to, string fromName = "from", string toName = "to") =>
        new(End(from, fromName, last: false), End(to, toName, last: true));

    private static DateTimeOffset? End(string? text, string name, bool last)
    {
        if (text is null || text.Trim() is "" or "..") return null;
        try
        {
            var (s, e) = ParseInstant(text);
            return last ? e : s;
        }
        catch (InputException e)
        {
            throw new InputException(name, $"{name}: {e.Message}");
        }
    }

    /// <summary>
    /// Parses the OGC API / ISO 8601 forms: an instant ("2020-08-31" or "2020-08-31T10:00:00Z"),
    /// or an interval "a/b" where either end may be ".." or empty (open). A date-only end covers
    /// its whole day (a date as the upper bound means the end of that day).
    /// </summary>
    public static TimeRange Parse(string text)
    {
        text = text.Trim();
        if (text.Length == 0) throw new InputException("datetime", "datetime is empty; use an instant (2020-08-31) or an interval (2019-01-01/2020-12-31, ../2020-12-31)");
        var slash = text.IndexOf('/');
        if (slash < 0)
        {
            var (start, end) = ParseInstant(text);
            return Create(start, end);
        }
        var a = text[..slash].Trim();
        var b = text[(slash + 1)..].Trim();
        if (b.Contains('/')) throw new InputException("datetime", $"datetime '{text}' has more than one '/'");
        DateTimeOffset? from = a is "" or ".." ? null : ParseInstant(a).Start;
        DateTimeOffset? to = b is "" or ".." ? null : ParseInstant(b).End;
        return Create(from, to);
    }

    /// <summary>Parses one date or date-time; a bare date gives the whole UTC day [00:00, 23:59:59.9999999].</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) ParseInstant(string text)
    {
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            var s = new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return (s, EndOf(s, s.Year == 9999 && s.Month == 12 && s.Day == 31 ? null : s.AddDays(1)));
        }
        if (text.Length == 4 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is >= 1 and <= 9999)
        {
            var s = new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero);
            return (s, EndOf(s, year == 9999 ? null : s.AddYears(1)));
        }
        if (text.Contains('T') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            return (t, t);
        throw new InputException($"'{text}' is not a date; use RFC 3339 / ISO 8601 such as 2020-08-31 or 2020-08-31T10:00:00Z");
    }

    /// <summary>The last tick before <paramref name="next"/>, or the last representable instant when there is no next period.</summary>
    private static DateTimeOffset EndOf(DateTimeOffset start, DateTimeOffset? next) =>
        next is { } n ? n.AddTicks(-1) : new DateTimeOffset(DateTime.MaxValue.Ticks, TimeSpan.Zero);

    public override string ToString() =>
        $"{(From is null ? ".." : From.Value.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))}/" +
        $"{(To is null ? ".." : To.Value.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))}";
}
