using System.Globalization;
using System.Text;

namespace RsGeoSearch.Inference.Text;

/// <summary>
/// Python-compatible lower-casing and "NFD without combining marks" (BERT's accent stripping), from the
/// embedded table made by gen_unicode_tables.py. .NET runs with InvariantGlobalization in this project, where
/// string.Normalize is not available for non-ASCII text, so the tokenizers carry their own data.
/// </summary>
internal static class UnicodeTables
{
    private static readonly Lazy<(Dictionary<int, string> Lower, Dictionary<int, string> Strip)> Tables = new(Load);

    private static (Dictionary<int, string>, Dictionary<int, string>) Load()
    {
        var lower = new Dictionary<int, string>();
        var strip = new Dictionary<int, string>();
        using var stream = typeof(UnicodeTables).Assembly.GetManifestResourceStream("RsGeoSearch.Inference.unicode-tables.txt")
            ?? throw new InvalidOperationException("embedded resource unicode-tables.txt is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length < 3 || line[0] == '#') continue;
            var parts = line.Split(' ');
            var cp = int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var sb = new StringBuilder();
            for (var i = 2; i < parts.Length; i++)
                if (parts[i].Length > 0) sb.Append(char.ConvertFromUtf32(int.Parse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            (line[0] == 'L' ? lower : strip)[cp] = sb.ToString();
        }
        return (lower, strip);
    }

    /// <summary>Python's <c>str.lower()</c>, including the final-sigma rule.</summary>
    public static string Lower(string text)
    {
        var map = Tables.Value.Lower;
        var sb = new StringBuilder(text.Length);
        var runes = text.EnumerateRunes().ToArray();
        for (var i = 0; i < runes.Length; i++)
        {
            var r = runes[i];
            if (r.Value == 0x3A3 && IsFinalSigma(runes, i)) { sb.Append('\u03C2'); continue; }
            if (r.IsAscii) sb.Append((char)(r.Value is >= 'A' and <= 'Z' ? r.Value + 32 : r.Value));
            else if (map.TryGetValue(r.Value, out var low)) sb.Append(low);
            else sb.Append(r.ToString());
        }
        return sb.ToString();
    }

    // Final_Sigma: preceded by a cased letter (skipping case-ignorable) and not followed by one.
    private static bool IsFinalSigma(Rune[] runes, int i)
    {
        var before = false;
        for (var j = i - 1; j >= 0; j--)
        {
            if (IsCaseIgnorable(runes[j])) continue;
            before = IsCased(runes[j]);
            break;
        }
        if (!before) return false;
        for (var j = i + 1; j < runes.Length; j++)
        {
            if (IsCaseIgnorable(runes[j])) continue;
            return !IsCased(runes[j]);
        }
        return true;
    }

    private static bool IsCased(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune r) =>
        r.Value is '\'' or '.' or ':' or '^' or '`' or 0xB7 or 0x2019 ||
        Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;

    /// <summary>NFD of each code point with combining marks (Mn) removed, as BERT's accent stripping does.</summary>
    public static string StripAccents(string text)
    {
        var map = Tables.Value.Strip;
        var sb = new StringBuilder(text.Length);
        foreach (var r in text.EnumerateRunes())
        {
            if (r.IsAscii) sb.Append((char)r.Value);
            else if (r.Value is >= 0xAC00 and <= 0xD7A3) AppendHangul(sb, r.Value);
            else if (map.TryGetValue(r.Value, out var d)) sb.Append(d);
            else sb.Append(r.ToString());
        }
        return sb.ToString();
    }

    private static void AppendHangul(StringBuilder sb, int cp)
    {
        var s = cp - 0xAC00;
        sb.Append((char)(0x1100 + s / (21 * 28)));
        sb.Append((char)(0x1161 + s % (21 * 28) / 28));
        if (s % 28 != 0) sb.Append((char)(0x11A7 + s % 28));
    }
}
