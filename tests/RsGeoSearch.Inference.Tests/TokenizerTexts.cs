using System.Text;

namespace RsGeoSearch.Inference.Tests;

/// <summary>Texts for tokenizer comparisons: real captions plus unicode, digits, punctuation and whitespace cases.</summary>
internal static class TokenizerTexts
{
    public static readonly string[] Special =
    [
        "Zürich's airport — 2 runways, 3 terminals (2019)",
        "naïve café résumé ÉCOLE Ångström",
        "水体 and 农田 mixed script",
        "emoji 🛰️ satellite 🌊🌾",
        "1234567890 3.14 1,000m² -5°C 45%",
        "&amp; html &lt;escaped&gt;",
        "ＦＵＬＬ－ＷＩＤＴＨ　ｔｅｘｔ １２３",
        "the ﬁeld has ﬂowers",
        "  leading and trailing spaces  ",
        "tabs\tand\u00a0non-breaking spaces",
        "circled ① ② and roman Ⅻ numerals",
        "ΟΔΟΣ ΣΤΟ ΒΟΥΝΟ greek",
        "quotes “double” ‘single’ «guillemets»",
        "don't can't it's we're they've I'm you'll he'd",
        "hyphen-ated under_score slash/separated dot.separated",
        "Ç Ş Ğ İ ı ö ü turkish",
        "Москва река и лес",
        "अंतरिक्ष उपग्रह छवि",
        "a...b!!!c???d",
        "x",
        "",
        "UPPER CASE AIRPORT WITH MANY PLANES",
        "e\u0301 combining acute and a\u030a ring",
        "ｶﾀｶﾅ half-width katakana",
        "mixed123numbers456and789letters",
        "tab\tnewline-free\u2003em-space\u2009thin",
    ];

    /// <summary>Every <paramref name="step"/>-th caption of the shared RSICD file plus <see cref="Special"/>.</summary>
    public static string[] Captions(int count, int offset = 7)
    {
        var lines = File.ReadLines(RsGeoSearch.Core.SharedData.Path("captions", "rsicd-train.tsv"), Encoding.UTF8).Skip(1)
            .Select(l => l.Split('\t')).Where(p => p.Length >= 3).Select(p => p[2]).ToArray();
        var step = Math.Max(1, lines.Length / count);
        return Enumerable.Range(0, count).Select(i => lines[(offset + i * step) % lines.Length]).ToArray();
    }

    public static string[] All(int captions) => Captions(captions).Concat(Special).ToArray();
}
