namespace RsGeoSearch.Core;

/// <summary>
/// A catalogue query as a client states it. What to look for: <see cref="Text"/>, an uploaded
/// <see cref="Image"/>, or example chips (<see cref="Like"/> / <see cref="Unlike"/>, relevance feedback);
/// with none of them the chips matching the filter are listed by id. Where and when: <see cref="Bbox"/>
/// (EPSG:4326), <see cref="Time"/> and the property filter <see cref="Where"/>; <see cref="SortBy"/> orders an
/// unranked listing (a ranked one is ordered by score). <see cref="Model"/> null means the default model.
/// <see cref="Not"/>: texts to push the ranking away from (negative terms, see <c>QueryVector</c>).
/// <see cref="MinRelevance"/>: the least calibrated relevance in [0, 1] a hit must have (null: the default
/// threshold for text queries, none otherwise). <see cref="Group"/>: one hit per chip, or one per place.
/// <para>
/// The search rules live here, once: every property refuses a bad value (also through <c>with</c>), and the
/// constructor refuses what needs a ranked search without one (unlike, not, min_relevance, group=place). A bad
/// value is an <see cref="InputException"/> naming the field as the JSON API calls it.
/// </para>
/// </summary>
public sealed record CatalogQuery
{
    /// <summary>The relevance threshold a text query gets when the client names none.</summary>
    public const double DefaultMinRelevance = 0.5;
    public const int MaxLimit = 10_000;
    public const int MaxOffset = 10_000_000;
    public const int MaxTextLength = 1000;
    public const int MaxExamples = 100;
    public const int MaxNotTerms = 20;

    public CatalogQuery(
        string? Text = null,
        byte[]? Image = null,
        IReadOnlyList<long>? Like = null,
        IReadOnlyList<long>? Unlike = null,
        BoundingBox? Bbox = null,
        TimeRange Time = default,
        int Limit = 10,
        int Offset = 0,
        double? MinScore = null,
        string? Model = null,
        Filtering.FilterNode? Where = null,
        IReadOnlyList<Filtering.SortClause>? SortBy = null,
        IReadOnlyList<string>? Not = null,
        double? MinRelevance = null,
        SearchGrouping Group = SearchGrouping.Chip)
    {
        this.Text = Text;
        this.Image = Image;
        this.Like = Like;
        this.Unlike = Unlike;
        this.Bbox = Bbox;
        this.Time = Time;
        this.Limit = Limit;
        this.Offset = Offset;
        this.MinScore = MinScore;
        this.Model = Model;
        this.Where = Where;
        this.SortBy = SortBy;
        this.Not = Not;
        this.MinRelevance = MinRelevance;
        this.Group = Group;
        if (IsRanked) return;
        if (this.Unlike is { Count: > 0 })
            throw new InputException("unlike", "'unlike' needs a ranked search (q, an image or like): it pushes results away from examples, it does not search on its own");
        if (this.Not is not null)
            throw new InputException("not", "'not' needs a ranked search (q, an image or like): it pushes results away from the terms, it does not search on its own");
        if (this.MinRelevance is not null)
            throw new InputException("min_relevance", "'min_relevance' needs a ranked search (q, an image or like)");
        if (this.Group != SearchGrouping.Chip)
            throw new InputException("group", "'group=place' needs a ranked search (q, an image or like)");
    }

    /// <summary>The text query; at most <see cref="MaxTextLength"/> characters (blank: no text).</summary>
    public string? Text { get; init => field = CheckText(value, "q"); }

    public byte[]? Image { get; init; }

    /// <summary>Chips to rank towards: positive ids, at most <see cref="MaxExamples"/>, duplicates dropped; empty means none.</summary>
    public IReadOnlyList<long>? Like { get; init => field = CheckIds(value, "like"); }

    /// <summary>Chips to rank away from (needs a ranked search), like <see cref="Like"/>.</summary>
    public IReadOnlyList<long>? Unlike { get; init => field = CheckIds(value, "unlike"); }

    public BoundingBox? Bbox { get; init; }
    public TimeRange Time { get; init; }

    /// <summary>Page size, 1 to <see cref="MaxLimit"/> (hits, or places when grouped).</summary>
    public int Limit { get; init => field = CheckRange(value, 1, MaxLimit, "limit"); }

    /// <summary>Hits to skip, 0 to <see cref="MaxOffset"/>.</summary>
    public int Offset { get; init => field = CheckRange(value, 0, MaxOffset, "offset"); }

    /// <summary>The lowest cosine similarity returned, -1 to 1.</summary>
    public double? MinScore { get; init => field = CheckRange(value, -1, 1, "min_score", "cosine similarity"); }

    public string? Model { get; init; }
    public Filtering.FilterNode? Where { get; init; }
    public IReadOnlyList<Filtering.SortClause>? SortBy { get; init; }

    /// <summary>Negative terms, trimmed: each non-empty and at most <see cref="MaxTextLength"/> characters, at most <see cref="MaxNotTerms"/>.</summary>
    public IReadOnlyList<string>? Not { get; init => field = CheckTerms(value, "not"); }

    /// <summary>The least calibrated relevance, 0 to 1.</summary>
    public double? MinRelevance { get; init => field = CheckMinRelevance(value); }

    public SearchGrouping Group { get; init; }

    public bool IsRanked => !string.IsNullOrWhiteSpace(Text) || Image is not null || Like is { Count: > 0 };

    /// <summary>A text field: at most <see cref="MaxTextLength"/> characters once trimmed.</summary>
    public static string? CheckText(string? text, string field)
    {
        if (text is not null && text.Trim().Length > MaxTextLength)
            throw new InputException(field, $"{field} is {text.Trim().Length} characters long; at most {MaxTextLength}");
        return text;
    }

    /// <summary>An integer field within [min, max].</summary>
    public static int CheckRange(int value, int min, int max, string field)
    {
        if (value < min) throw new InputException(field, $"{field} {value} must be at least {min}");
        if (value > max) throw new InputException(field, $"{field} {value} must be at most {max}");
        return value;
    }

    /// <summary>An optional number within [min, max] (NaN is refused).</summary>
    public static double? CheckRange(double? value, double min, double max, string field, string meaning)
    {
        if (value is { } v && !(v >= min && v <= max))
            throw new InputException(field, $"{field} {v.ToString(System.Globalization.CultureInfo.InvariantCulture)} must be between {min} and {max} ({meaning})");
        return value;
    }

    /// <summary>A relevance threshold: 0 to 1.</summary>
    public static double? CheckMinRelevance(double? value) => CheckRange(value, 0, 1, "min_relevance", "a probability");

    /// <summary>Chip ids: positive, at most <see cref="MaxExamples"/> once duplicates are dropped.</summary>
    public static IReadOnlyList<long>? CheckIds(IReadOnlyList<long>? ids, string field)
    {
        if (ids is null) return null;
        if (ids.Any(id => id < 1))
            throw new InputException(field, $"{field}: '{ids.First(id => id < 1)}' is not a chip id (a positive integer)");
        var distinct = ids.Distinct().ToList();
        if (distinct.Count > MaxExamples) throw new InputException(field, $"{field} lists {distinct.Count} chips; at most {MaxExamples}");
        return distinct;
    }

    /// <summary>Negative terms: trimmed, distinct, non-empty, at most <see cref="MaxTextLength"/> characters each and <see cref="MaxNotTerms"/> in all.</summary>
    public static IReadOnlyList<string>? CheckTerms(IReadOnlyList<string>? terms, string field)
    {
        if (terms is null) return null;
        var clean = terms.Select(t => (t ?? "").Trim()).ToList();
        if (clean.Count == 0 || clean.Any(t => t.Length == 0))
            throw new InputException(field, $"{field}: a negative term is empty; give comma-separated terms such as {field}=clouds,haze");
        if (clean.FirstOrDefault(t => t.Length > MaxTextLength) is { } longTerm)
            throw new InputException(field, $"{field}: the term '{longTerm[..40]}…' is longer than {MaxTextLength} characters");
        clean = clean.Distinct(StringComparer.Ordinal).ToList();
        if (clean.Count > MaxNotTerms) throw new InputException(field, $"{field} lists {clean.Count} terms; at most {MaxNotTerms}");
        return clean;
    }
}
