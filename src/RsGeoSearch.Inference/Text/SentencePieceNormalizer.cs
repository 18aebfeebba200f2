using System.Buffers.Binary;
using System.Text;

namespace RsGeoSearch.Inference.Text;

/// <summary>
/// SentencePiece's normaliser: the model's precompiled character map (a darts-clone double-array trie over
/// UTF-8 with replacement strings; for nmt_nfkc it encodes NFKC plus SentencePiece's whitespace and control rules),
/// longest match first, then whitespace handling: drop leading, collapse repeated and drop trailing spaces,
/// a dummy "▁" prefix, and ' ' → '▁'.
/// </summary>
internal sealed class SentencePieceNormalizer
{
    public const char SpaceSymbol = '\u2581';
    private static readonly byte[] SpaceSymbolUtf8 = "\u2581"u8.ToArray();
    private readonly uint[] _trie;
    private readonly byte[] _normalized;
    private readonly bool _addDummyPrefix, _removeExtraWhitespaces, _escapeWhitespaces, _suffix;

    public SentencePieceNormalizer(SentencePieceModel model)
    {
        _addDummyPrefix = model.AddDummyPrefix;
        _removeExtraWhitespaces = model.RemoveExtraWhitespaces;
        _escapeWhitespaces = model.EscapeWhitespaces;
        _suffix = model.TreatWhitespaceAsSuffix;
        var blob = model.PrecompiledCharsMap;
        if (blob is null) { _trie = []; _normalized = []; return; }
        if (blob.Length < 4) throw new FormatException("precompiled_charsmap is shorter than its header");
        var trieSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieSize % 4 != 0 || 4 + trieSize > blob.Length) throw new FormatException("precompiled_charsmap: bad trie size");
        _trie = new uint[trieSize / 4];
        for (var i = 0; i < _trie.Length; i++) _trie[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(4 + 4 * i));
        _normalized = blob[(4 + trieSize)..];
    }

    /// <summary>Normalises <paramref name="text"/> into the string the unigram model segments.</summary>
    public string Normalize(string text)
    {
        var input = Encoding.UTF8.GetBytes(text).AsSpan();
        var output = new List<byte>(input.Length + 8);
        if (_removeExtraWhitespaces)
        {
            while (!input.IsEmpty)
            {
                var (piece, consumed) = NormalizePrefix(input);
                if (!(piece.Length == 1 && piece[0] == (byte)' ')) break;
                input = input[consumed..];
            }
        }
        if (input.IsEmpty) return "";
        if (!_suffix && _addDummyPrefix) AddSpace(output);
        var prevSpace = _removeExtraWhitespaces;
        while (!input.IsEmpty)
        {
            var (piece, consumed) = NormalizePrefix(input);
            var sp = piece.AsSpan();
            while (prevSpace && !sp.IsEmpty && sp[0] == (byte)' ') sp = sp[1..];
            if (!sp.IsEmpty)
            {
                foreach (var b in sp)
                {
                    if (_escapeWhitespaces && b == (byte)' ') output.AddRange(SpaceSymbolUtf8);
                    else output.Add(b);
                }
                prevSpace = sp[^1] == (byte)' ';
            }
            input = input[consumed..];
            if (!_removeExtraWhitespaces) prevSpace = false;
        }
        if (_removeExtraWhitespaces)
        {
            var space = _escapeWhitespaces ? SpaceSymbolUtf8 : " "u8.ToArray();
            while (output.Count >= space.Length && output.Skip(output.Count - space.Length).SequenceEqual(space))
                output.RemoveRange(output.Count - space.Length, space.Length);
        }
        if (_suffix && _addDummyPrefix) AddSpace(output);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private void AddSpace(List<byte> output)
    {
        if (_escapeWhitespaces) output.AddRange(SpaceSymbolUtf8);
        else output.Add((byte)' ');
    }

    private (byte[] Piece, int Consumed) NormalizePrefix(ReadOnlySpan<byte> input)
    {
        var (length, value) = LongestMatch(input);
        if (length > 0)
        {
            var end = value;
            while (end < _normalized.Length && _normalized[end] != 0) end++;
            return (_normalized[value..end], length);
        }
        var n = Utf8Length(input);
        if (n == 0) return ("\uFFFD"u8.ToArray(), 1);
        return (input[..n].ToArray(), n);
    }

    // darts-clone commonPrefixSearch, keeping the longest match.
    private (int Length, int Value) LongestMatch(ReadOnlySpan<byte> key)
    {
        if (_trie.Length == 0) return (0, 0);
        int bestLength = 0, bestValue = 0;
        uint nodePos = 0;
        var unit = _trie[0];
        nodePos ^= Offset(unit);
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c == 0) break;
            nodePos ^= c;
            if (nodePos >= _trie.Length) break;
            unit = _trie[nodePos];
            if (Label(unit) != c) break;
            nodePos ^= Offset(unit);
            if (HasLeaf(unit))
            {
                if (nodePos >= _trie.Length) break;
                bestLength = i + 1;
                bestValue = (int)Value(_trie[nodePos]);
            }
        }
        return (bestLength, bestValue);
    }

    private static bool HasLeaf(uint u) => ((u >> 8) & 1) == 1;
    private static uint Value(uint u) => u & ((1u << 31) - 1);
    private static uint Label(uint u) => u & ((1u << 31) | 0xFF);
    private static uint Offset(uint u) => (u >> 10) << (int)((u & (1u << 9)) >> 6);

    /// <summary>Length of the valid UTF-8 sequence at the start, or 0 when malformed.</summary>
    private static int Utf8Length(ReadOnlySpan<byte> s)
    {
        var status = System.Text.Unicode.Utf8.ToUtf16(s[..Math.Min(4, s.Length)], stackalloc char[4], out var read, out _, replaceInvalidSequences: false, isFinalBlock: true);
        if (read > 0)
        {
            var first = s[0];
            var n = first < 0x80 ? 1 : first < 0xE0 ? 2 : first < 0xF0 ? 3 : 4;
            return n <= read ? n : 0;
        }
        _ = status;
        return 0;
    }
}
