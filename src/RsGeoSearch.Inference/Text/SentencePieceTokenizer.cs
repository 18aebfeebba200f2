using System.Text;
using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Text;

/// <summary>
/// SentencePiece unigram tokenizer (SigLIP, Git-RSCLIP): the model's normaliser, then the Viterbi segmentation
/// that maximises the sum of piece scores (unknown characters score min - 10 and consecutive unknowns merge),
/// then the end-of-sequence id. For SigLIP (<see cref="SigLipCanonicalize"/>) the text is first lower-cased, ASCII
/// punctuation removed and whitespace collapsed, as Hugging Face's SiglipTokenizer does.
/// </summary>
// Kept over Microsoft.ML.Tokenizers' SentencePieceTokenizer, which does not merge consecutive unknown pieces and gets byte-fallback ids wrong (1,372-1,532 of 1,546 texts match spm_encode on four models; this one: 1,546).
public sealed class SentencePieceTokenizer : Tokenizer
{
    private readonly SentencePieceModel _model;
    private readonly SentencePieceNormalizer _normalizer;
    private readonly Dictionary<string, int> _pieces = new(StringComparer.Ordinal);
    private readonly int _maxPieceChars;
    private readonly float _unkScore, _userDefinedScoreBase;
    private readonly int[] _byteIds = new int[256];

    private SentencePieceTokenizer(SentencePieceModel model, int contextLength, int padId, int eosId, bool addEos, bool canonicalize)
        : base(contextLength, padId, eosId)
    {
        if (model.ModelType != 1) throw new InputException($"SentencePiece model type {model.ModelType} is not unigram (1)");
        _model = model;
        // SiglipTokenizer prepends "▁" itself whatever the model's add_dummy_prefix says.
        _normalizer = new SentencePieceNormalizer(canonicalize ? model with { AddDummyPrefix = true } : model);
        AddEos = addEos;
        SigLipCanonicalize = canonicalize;
        UnkId = Array.IndexOf(model.Types, SentencePieceModel.PieceType.Unknown);
        if (UnkId < 0) throw new InputException("SentencePiece model has no unknown piece");
        var min = float.MaxValue;
        var max = float.MinValue;
        Array.Fill(_byteIds, -1);
        for (var i = 0; i < model.Pieces.Length; i++)
        {
            var type = model.Types[i];
            if (type is SentencePieceModel.PieceType.Normal or SentencePieceModel.PieceType.UserDefined)
            {
                _pieces.TryAdd(model.Pieces[i], i);
                _maxPieceChars = Math.Max(_maxPieceChars, model.Pieces[i].EnumerateRunes().Count());
            }
            if (type == SentencePieceModel.PieceType.Normal) { min = Math.Min(min, model.Scores[i]); max = Math.Max(max, model.Scores[i]); }
            if (type == SentencePieceModel.PieceType.Byte && model.Pieces[i].Length == 6)
                _byteIds[Convert.ToInt32(model.Pieces[i][3..5], 16)] = i;
        }
        _unkScore = min - 10f;
        _userDefinedScoreBase = max;
    }

    public int UnkId { get; }
    public bool AddEos { get; }
    public bool SigLipCanonicalize { get; }
    public override int VocabularySize => _model.Pieces.Length;

    /// <summary>Id of a piece by its text, or -1.</summary>
    public int PieceId(string piece) => Array.IndexOf(_model.Pieces, piece);

    /// <summary>
    /// Loads <c>spiece.model</c> or <c>tokenizer.json</c>. End id: the piece "&lt;/s&gt;"; pad id: <paramref name="padId"/>
    /// when given, else the end id for SigLIP (<paramref name="sigLipCanonicalize"/>), else "&lt;pad&gt;" when present, else the end id.
    /// </summary>
    public static SentencePieceTokenizer Load(string path, int contextLength, bool addEos = true, bool sigLipCanonicalize = false, int? padId = null, int? eosId = null)
    {
        var model = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? SentencePieceModel.FromTokenizerJson(path) : SentencePieceModel.FromProto(path);
        var eos = eosId ?? Array.IndexOf(model.Pieces, "</s>");
        if (eos < 0) throw new InputException($"{path}: no end-of-sequence piece </s>; set tokenizer.eos_id in manifest.json");
        // SigLIP pads with </s> (Hugging Face's SiglipTokenizer: pad_token="</s>") even though its vocabulary has <pad>.
        var pad = padId ?? (!sigLipCanonicalize && Array.IndexOf(model.Pieces, "<pad>") is var p and >= 0 ? p : eos);
        return new SentencePieceTokenizer(model, contextLength, pad, eos, addEos, sigLipCanonicalize);
    }

    public override int[] TokenIds(string text)
    {
        var ids = PieceIds(text);
        if (AddEos) ids.Add(EndId);
        return ids.ToArray();
    }

    /// <summary>The normalised text the model segments (for inspection).</summary>
    public string Normalized(string text) => _normalizer.Normalize(SigLipCanonicalize ? Canonicalize(text) : text);

    /// <summary>Piece ids without the end token.</summary>
    public List<int> PieceIds(string text)
    {
        var normalized = Normalized(text);
        var chars = normalized.EnumerateRunes().Select(r => r.ToString()).ToArray();
        var n = chars.Length;
        var best = new float[n + 1];
        var from = new int[n + 1];
        var id = new int[n + 1];
        Array.Fill(from, -1);
        best[0] = 0;
        for (var start = 0; start < n; start++)
        {
            if (start > 0 && from[start] < 0) continue;
            var sb = new StringBuilder();
            var hasSingle = false;
            for (var len = 1; len <= _maxPieceChars && start + len <= n; len++)
            {
                sb.Append(chars[start + len - 1]);
                if (!_pieces.TryGetValue(sb.ToString(), out var pid)) continue;
                var score = _model.Types[pid] == SentencePieceModel.PieceType.UserDefined ? len * _userDefinedScoreBase - 0.1f : _model.Scores[pid];
                var candidate = best[start] + score;
                var end = start + len;
                if (from[end] < 0 || candidate > best[end]) { best[end] = candidate; from[end] = start; id[end] = pid; }
                if (len == 1) hasSingle = true;
            }
            if (!hasSingle)
            {
                var candidate = best[start] + _unkScore;
                if (from[start + 1] < 0 || candidate > best[start + 1]) { best[start + 1] = candidate; from[start + 1] = start; id[start + 1] = UnkId; }
            }
        }
        var path = new List<(int Start, int End, int Id)>();
        for (var end = n; end > 0; end = from[end]) path.Add((from[end], end, id[end]));
        path.Reverse();

        var result = new List<int>(path.Count);
        for (var k = 0; k < path.Count; k++)
        {
            var (s, e, pid) = path[k];
            if (pid == UnkId && _model.ByteFallback)
            {
                foreach (var b in Encoding.UTF8.GetBytes(string.Concat(chars[s..e]))) result.Add(_byteIds[b] >= 0 ? _byteIds[b] : UnkId);
                continue;
            }
            if (pid == UnkId && result.Count > 0 && result[^1] == UnkId && k > 0 && path[k - 1].Id == UnkId) continue; // merge unknowns
            result.Add(pid);
        }
        return result;
    }

    /// <summary>SiglipTokenizer's text canonicalisation: lower-case, drop ASCII punctuation, collapse whitespace, trim.</summary>
    internal static string Canonicalize(string text)
    {
        text = UnicodeTables.Lower(text);
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var r in text.EnumerateRunes())
        {
            if (r.IsAscii && char.IsAsciiLetterOrDigit((char)r.Value) is false && r.Value is >= 33 and <= 126) continue;
            if (Rune.IsWhiteSpace(r)) { space = true; continue; }
            if (space && sb.Length > 0) sb.Append(' ');
            space = false;
            sb.Append(r.ToString());
        }
        return sb.ToString();
    }
}
