using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;
using RsGeoSearch.Core;
using MlWordPiece = Microsoft.ML.Tokenizers.WordPieceTokenizer;

namespace RsGeoSearch.Inference.Text;

/// <summary>
/// BERT-style WordPiece (rsgeo-mini; spec in models/MANIFEST.md, reference models/rsgeo-mini/train/tokenizer.py) on
/// Microsoft.ML.Tokenizers' WordPiece model: this class supplies the normaliser (lower-case, strip accents, drop control
/// characters) and the pre-tokenizer (split on whitespace and around every punctuation character) — the library's
/// BertTokenizer differs (it deletes tabs, drops symbols and needs [MASK]) — and the library does the greedy
/// longest-match-first pieces with the "##" prefix. [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3; text → [CLS] … [SEP].
/// </summary>
public sealed class WordPieceTokenizer : Tokenizer
{
    private static readonly string[] Specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"];
    private readonly MlWordPiece _pieces;

    private WordPieceTokenizer(MlWordPiece pieces, int vocabularySize, int contextLength, bool lowercase)
        : base(contextLength, padId: 0, endId: 3)
    {
        _pieces = pieces;
        VocabularySize = vocabularySize;
        Lowercase = lowercase;
    }

    public int UnkId => 1;
    public int ClsId => 2;
    public bool Lowercase { get; }
    public override int VocabularySize { get; }

    /// <summary>Loads vocab.txt (one token per line; the id is the line number from 0).</summary>
    public static WordPieceTokenizer Load(string vocabPath, int contextLength, bool lowercase = true)
    {
        if (!File.Exists(vocabPath)) throw new InputException($"WordPiece vocabulary not found: {vocabPath}");
        var lines = File.ReadAllLines(vocabPath, Encoding.UTF8);
        for (var i = 0; i < Specials.Length; i++)
            if (lines.Length <= i || lines[i] != Specials[i])
                throw new InputException($"{vocabPath}: the vocabulary must start with {string.Join(" ", Specials)} on lines 1-4");
        var pieces = MlWordPiece.Create(vocabPath, new WordPieceOptions
        {
            Normalizer = new BertNormalizer(lowercase),
            PreTokenizer = BertPreTokenizer.Instance,
            UnknownToken = "[UNK]",
            ContinuingSubwordPrefix = "##",
            MaxInputCharsPerWord = 100,
            SpecialTokens = Specials.Select((t, id) => (t, id)).ToDictionary(p => p.t, p => p.id),
        });
        return new WordPieceTokenizer(pieces, lines.Length, contextLength, lowercase);
    }

    public override int[] TokenIds(string text)
    {
        var ids = new List<int> { ClsId };
        ids.AddRange(_pieces.EncodeToIds(text));
        ids.Add(EndId);
        return ids.ToArray();
    }

    /// <summary>Lower-case (optional), strip accents, drop NUL, U+FFFD and control characters; whitespace becomes a space.</summary>
    internal static string Normalize(string text, bool lowercase)
    {
        if (lowercase) text = UnicodeTables.Lower(text);
        text = UnicodeTables.StripAccents(text);
        var sb = new StringBuilder(text.Length);
        foreach (var r in text.EnumerateRunes())
        {
            if (r.Value == 0 || r.Value == 0xFFFD || IsControl(r)) continue;
            if (IsWhitespace(r)) sb.Append(' ');
            else sb.Append(r.ToString());
        }
        return sb.ToString();
    }

    /// <summary>Word ranges of normalised text: runs between spaces, every punctuation character on its own.</summary>
    internal static IEnumerable<(int Offset, int Length)> Split(string text)
    {
        var start = -1;
        for (var i = 0; i < text.Length;)
        {
            var r = Rune.GetRuneAt(text, i);
            var n = r.Utf16SequenceLength;
            if (r.Value == ' ' || IsPunctuation(r))
            {
                if (start >= 0) { yield return (start, i - start); start = -1; }
                if (r.Value != ' ') yield return (i, n);
            }
            else if (start < 0) start = i;
            i += n;
        }
        if (start >= 0) yield return (start, text.Length - start);
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

    private sealed class BertNormalizer(bool lowercase) : Normalizer
    {
        public override string Normalize(string original) => WordPieceTokenizer.Normalize(original, lowercase);
        public override string Normalize(ReadOnlySpan<char> original) => WordPieceTokenizer.Normalize(original.ToString(), lowercase);
    }

    private sealed class BertPreTokenizer : PreTokenizer
    {
        public static readonly BertPreTokenizer Instance = new();
        public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => Split(text);
        public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text.ToString());
    }
}
