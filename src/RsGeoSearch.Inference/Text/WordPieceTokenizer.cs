using System.Globalization;
using System.Text;
using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Text;

/// <summary>
/// BERT-style WordPiece (rsgeo-mini; spec in models/MANIFEST.md, reference models/rsgeo-mini/train/tokenizer.py):
/// lower-case, strip accents, split on whitespace and around every punctuation character, then greedy
/// longest-match-first pieces with the "##" prefix. [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3; text → [CLS] … [SEP].
/// </summary>
public sealed class WordPieceTokenizer : Tokenizer
{
    private const int MaxWordChars = 100;
    private static readonly string[] Specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"];
    private readonly Dictionary<string, int> _vocab;

    private WordPieceTokenizer(Dictionary<string, int> vocab, int contextLength, bool lowercase)
        : base(contextLength, padId: vocab["[PAD]"], endId: vocab["[SEP]"])
    {
        _vocab = vocab;
        Lowercase = lowercase;
        UnkId = vocab["[UNK]"];
        ClsId = vocab["[CLS]"];
    }

    public int UnkId { get; }
    public int ClsId { get; }
    public bool Lowercase { get; }
    public override int VocabularySize => _vocab.Count;

    /// <summary>Loads vocab.txt (one token per line; the id is the line number from 0).</summary>
    public static WordPieceTokenizer Load(string vocabPath, int contextLength, bool lowercase = true)
    {
        if (!File.Exists(vocabPath)) throw new InputException($"WordPiece vocabulary not found: {vocabPath}");
        var vocab = new Dictionary<string, int>();
        var lines = File.ReadAllLines(vocabPath, Encoding.UTF8);
        for (var i = 0; i < lines.Length; i++) vocab.TryAdd(lines[i], i);
        for (var i = 0; i < Specials.Length; i++)
            if (!vocab.TryGetValue(Specials[i], out var id) || id != i)
                throw new InputException($"{vocabPath}: the vocabulary must start with {string.Join(" ", Specials)} on lines 1-4");
        return new WordPieceTokenizer(vocab, contextLength, lowercase);
    }

    public override int[] TokenIds(string text)
    {
        var ids = new List<int> { ClsId };
        foreach (var word in BasicTokenize(text)) AddPieces(word, ids);
        ids.Add(EndId);
        return ids.ToArray();
    }

    /// <summary>Normalise, drop control characters, split on whitespace and punctuation.</summary>
    internal List<string> BasicTokenize(string text)
    {
        if (Lowercase) text = UnicodeTables.Lower(text);
        text = UnicodeTables.StripAccents(text);
        var words = new List<string>();
        var cur = new StringBuilder();
        foreach (var r in text.EnumerateRunes())
        {
            var cp = r.Value;
            if (cp == 0 || cp == 0xFFFD || IsControl(r)) continue;
            if (IsWhitespace(r))
            {
                if (cur.Length > 0) { words.Add(cur.ToString()); cur.Clear(); }
            }
            else if (IsPunctuation(r))
            {
                if (cur.Length > 0) { words.Add(cur.ToString()); cur.Clear(); }
                words.Add(r.ToString());
            }
            else cur.Append(r.ToString());
        }
        if (cur.Length > 0) words.Add(cur.ToString());
        return words;
    }

    private void AddPieces(string word, List<int> ids)
    {
        var runes = word.EnumerateRunes().Select(r => r.ToString()).ToArray();
        if (runes.Length > MaxWordChars) { ids.Add(UnkId); return; }
        var pieces = new List<int>();
        var start = 0;
        while (start < runes.Length)
        {
            var found = -1;
            var end = runes.Length;
            for (; end > start; end--)
            {
                var sub = string.Concat(runes[start..end]);
                if (start > 0) sub = "##" + sub;
                if (_vocab.TryGetValue(sub, out found)) break;
                found = -1;
            }
            if (found < 0) { ids.Add(UnkId); return; }
            pieces.Add(found);
            start = end;
        }
        ids.AddRange(pieces);
    }

    private static bool IsWhitespace(Rune r) =>
        r.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator;

    private static bool IsControl(Rune r) =>
        r.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format;

    private static bool IsPunctuation(Rune r)
    {
        var cp = r.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }
}
