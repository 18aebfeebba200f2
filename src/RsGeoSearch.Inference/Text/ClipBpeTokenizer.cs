using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Text;

/// <summary>
/// OpenAI CLIP's byte-level BPE (also OpenCLIP, RemoteCLIP, GeoRSCLIP) on Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>:
/// CLIP's normaliser (html-unescape twice, collapse whitespace, lower-case), CLIP's split pattern, UTF-8 bytes mapped to
/// printable characters, merges by rank with the "&lt;/w&gt;" end-of-word suffix. Ids: start 49406, end 49407, pad 0,
/// context 77; the library adds no start/end tokens, so they are added here (the empty text is [start, end]).
/// ftfy's repair of broken unicode is not applied.
/// </summary>
public sealed partial class ClipBpeTokenizer : Tokenizer
{
    private const string StartToken = "<|startoftext|>", EndToken = "<|endoftext|>";
    private readonly BpeTokenizer _bpe;

    private ClipBpeTokenizer(BpeTokenizer bpe, int vocabularySize, int startId, int endId, int contextLength)
        : base(contextLength, padId: 0, endId: endId)
    {
        _bpe = bpe;
        VocabularySize = vocabularySize;
        StartId = startId;
    }

    public int StartId { get; }
    public override int VocabularySize { get; }

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

        // CLIP's vocabulary: the 256 byte characters, the same with </w>, one token per merge, then the two specials.
        var byteChars = ByteCharactersInVocabularyOrder();
        var vocab = new List<string>(49408);
        vocab.AddRange(byteChars);
        vocab.AddRange(byteChars.Select(c => c + "</w>"));
        var merges = new string[mergeCount];
        for (var i = 0; i < mergeCount; i++)
        {
            var parts = lines[1 + i].Split(' ');
            if (parts.Length != 2) throw new InputException($"{path}: line {i + 2} is not a merge pair: '{lines[1 + i]}'");
            merges[i] = lines[1 + i];
            vocab.Add(parts[0] + parts[1]);
        }
        vocab.Add(StartToken);
        vocab.Add(EndToken);
        var specials = new Dictionary<string, int> { [StartToken] = vocab.Count - 2, [EndToken] = vocab.Count - 1 };
        var bpe = BpeTokenizer.Create(new BpeOptions(vocab.Select((t, id) => new KeyValuePair<string, int>(t, id)))
        {
            Merges = merges,
            ByteLevel = true,
            EndOfWordSuffix = "</w>",
            SpecialTokens = specials,
            PreTokenizer = new RegexPreTokenizer(ClipPattern(), specials),
            Normalizer = ClipNormalizer.Instance,
        });
        return new ClipBpeTokenizer(bpe, vocab.Count, specials[StartToken], specials[EndToken], contextLength);
    }

    // GPT-2's reversible byte -> printable character map, in CLIP's vocabulary order.
    private static string[] ByteCharactersInVocabularyOrder()
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
            cs.Add(256 + n++);
        }
        return cs.Select(char.ConvertFromUtf32).ToArray();
    }

    public override int[] TokenIds(string text)
    {
        var ids = new List<int> { StartId };
        ids.AddRange(_bpe.EncodeToIds(text));
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

    /// <summary>CLIP's pattern: specials | 's|'t|'re|'ve|'m|'ll|'d | \p{L}+ | \p{N} | [^\s\p{L}\p{N}]+.</summary>
    [GeneratedRegex(@"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase)]
    private static partial Regex ClipPattern();

    /// <summary>The library's normaliser slot holding CLIP's <see cref="Clean"/>.</summary>
    private sealed class ClipNormalizer : Normalizer
    {
        public static readonly ClipNormalizer Instance = new();
        public override string Normalize(string original) => Clean(original);
        public override string Normalize(ReadOnlySpan<char> original) => Clean(original.ToString());
    }
}
