using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Text;

/// <summary>
/// OpenAI CLIP's byte-level BPE (also OpenCLIP, RemoteCLIP, GeoRSCLIP): html-unescape, collapse whitespace,
/// lower-case, split with CLIP's pattern, map UTF-8 bytes to printable characters, apply merges by rank.
/// Ids: start 49406, end 49407, pad 0, context 77. ftfy's repair of broken unicode is not applied.
/// </summary>
public sealed class ClipBpeTokenizer : Tokenizer
{
    private const string StartToken = "<|startoftext|>", EndToken = "<|endoftext|>";
    private readonly Dictionary<string, int> _encoder;
    private readonly Dictionary<(string, string), int> _ranks;
    private readonly string[] _byteChars;
    private readonly Dictionary<string, int[]> _cache = new();
    private readonly Lock _cacheLock = new();

    private ClipBpeTokenizer(Dictionary<string, int> encoder, Dictionary<(string, string), int> ranks, string[] byteChars, int contextLength)
        : base(contextLength, padId: 0, endId: encoder[EndToken])
    {
        _encoder = encoder;
        _ranks = ranks;
        _byteChars = byteChars;
        StartId = encoder[StartToken];
    }

    public int StartId { get; }
    public override int VocabularySize => _encoder.Count;

    /// <summary>Loads <c>bpe_simple_vocab_16e6.txt.gz</c> (or an uncompressed merges file).</summary>
    public static ClipBpeTokenizer Load(string path, int contextLength = 77)
    {
        if (!File.Exists(path)) throw new InputException($"CLIP BPE vocabulary not found: {path}");
        string[] lines;
        try
        {
            using var file = File.OpenRead(path);
            using Stream s = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var reader = new StreamReader(s, Encoding.UTF8);
            lines = reader.ReadToEnd().Split('\n');
        }
        catch (InvalidDataException e) { throw new InputException($"{path}: not a gzip file ({e.Message})", e); }
        const int mergeCount = 49152 - 256 - 2;
        if (lines.Length < mergeCount + 1) throw new InputException($"{path}: expected {mergeCount} merges after the header line, found {lines.Length - 1} lines");

        var (byteChars, ordered) = BytesToUnicode();
        var vocab = new List<string>(49408);
        vocab.AddRange(ordered);
        vocab.AddRange(ordered.Select(c => c + "</w>"));
        var ranks = new Dictionary<(string, string), int>(mergeCount);
        for (var i = 0; i < mergeCount; i++)
        {
            var parts = lines[1 + i].Split(' ');
            if (parts.Length != 2) throw new InputException($"{path}: line {i + 2} is not a merge pair: '{lines[1 + i]}'");
            ranks[(parts[0], parts[1])] = i;
            vocab.Add(parts[0] + parts[1]);
        }
        vocab.Add(StartToken);
        vocab.Add(EndToken);
        var encoder = new Dictionary<string, int>(vocab.Count);
        for (var i = 0; i < vocab.Count; i++) encoder[vocab[i]] = i;
        return new ClipBpeTokenizer(encoder, ranks, byteChars, contextLength);
    }

    // GPT-2's reversible byte -> printable character map: by byte value, and in CLIP's vocabulary order.
    private static (string[] ByByte, string[] InVocabularyOrder) BytesToUnicode()
    {
        var bs = new List<int>();
        for (var b = '!'; b <= '~'; b++) bs.Add(b);
        for (var b = 0xA1; b <= 0xAC; b++) bs.Add(b);
        for (var b = 0xAE; b <= 0xFF; b++) bs.Add(b);
        var cs = new List<int>(bs);
        var n = 0;
        for (var b = 0; b < 256; b++)
        {
            if (bs.Contains(b)) continue;
            bs.Add(b);
            cs.Add(256 + n++);
        }
        var map = new string[256];
        for (var i = 0; i < bs.Count; i++) map[bs[i]] = char.ConvertFromUtf32(cs[i]);
        return (map, cs.Select(char.ConvertFromUtf32).ToArray());
    }

    public override int[] TokenIds(string text)
    {
        var ids = new List<int> { StartId };
        foreach (var token in Split(Clean(text)))
        {
            var sb = new StringBuilder();
            foreach (var b in Encoding.UTF8.GetBytes(token)) sb.Append(_byteChars[b]);
            ids.AddRange(Bpe(sb.ToString()));
        }
        ids.Add(EndId);
        return ids.ToArray();
    }

    /// <summary>basic_clean (html.unescape twice, strip) + whitespace_clean + lower(), as CLIP's SimpleTokenizer.</summary>
    internal static string Clean(string text)
    {
        text = WebUtility.HtmlDecode(WebUtility.HtmlDecode(text)).Trim();
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var r in text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(r)) { space = true; continue; }
            if (space && sb.Length > 0) sb.Append(' ');
            space = false;
            sb.Append(r.ToString());
        }
        return UnicodeTables.Lower(sb.ToString());
    }

    /// <summary>CLIP's pattern: specials | 's|'t|'re|'ve|'m|'ll|'d | \p{L}+ | \p{N} | [^\s\p{L}\p{N}]+ (by code point).</summary>
    internal static IEnumerable<string> Split(string text)
    {
        var runes = text.EnumerateRunes().ToArray();
        var i = 0;
        while (i < runes.Length)
        {
            var rest = string.Concat(runes.Skip(i).Take(16).Select(r => r.ToString()));
            if (rest.StartsWith(StartToken, StringComparison.Ordinal)) { yield return StartToken; i += StartToken.Length; continue; }
            if (rest.StartsWith(EndToken, StringComparison.Ordinal)) { yield return EndToken; i += EndToken.Length; continue; }
            if (runes[i].Value == '\'')
            {
                var c = Contraction(rest);
                if (c is not null) { yield return c; i += c.Length; continue; }
            }
            var kind = Kind(runes[i]);
            if (kind == 'L')
            {
                var j = i;
                while (j < runes.Length && Kind(runes[j]) == 'L') j++;
                yield return Join(runes, i, j);
                i = j;
            }
            else if (kind == 'N') { yield return runes[i].ToString(); i++; }
            else if (kind == 'S') i++;
            else
            {
                var j = i;
                while (j < runes.Length && Kind(runes[j]) == 'O') j++;
                yield return Join(runes, i, j);
                i = j;
            }
        }
    }

    private static string? Contraction(string rest)
    {
        foreach (var c in new[] { "'s", "'t", "'re", "'ve", "'m", "'ll", "'d" })
            if (rest.StartsWith(c, StringComparison.OrdinalIgnoreCase)) return rest[..c.Length];
        return null;
    }

    private static string Join(Rune[] runes, int from, int to)
    {
        var sb = new StringBuilder();
        for (var k = from; k < to; k++) sb.Append(runes[k].ToString());
        return sb.ToString();
    }

    private static char Kind(Rune r)
    {
        if (Rune.IsWhiteSpace(r)) return 'S';
        return Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => 'L',
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => 'N',
            _ => 'O',
        };
    }

    private int[] Bpe(string token)
    {
        lock (_cacheLock)
            if (_cache.TryGetValue(token, out var cached)) return cached;
        var word = new List<string>();
        var chars = token.EnumerateRunes().Select(r => r.ToString()).ToList();
        for (var i = 0; i < chars.Count; i++) word.Add(i == chars.Count - 1 ? chars[i] + "</w>" : chars[i]);
        while (word.Count > 1)
        {
            var best = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i < word.Count - 1; i++)
                if (_ranks.TryGetValue((word[i], word[i + 1]), out var rank) && rank < bestRank) { bestRank = rank; best = i; }
            if (best < 0) break;
            var (first, second) = (word[best], word[best + 1]);
            var merged = new List<string>(word.Count);
            for (var i = 0; i < word.Count;)
            {
                if (i < word.Count - 1 && word[i] == first && word[i + 1] == second) { merged.Add(first + second); i += 2; }
                else { merged.Add(word[i]); i++; }
            }
            word = merged;
        }
        var ids = word.Select(w => _encoder[w]).ToArray();
        lock (_cacheLock)
            if (_cache.Count < 100_000) _cache[token] = ids;
        return ids;
    }
}
