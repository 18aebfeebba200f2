using System.Text;
using System.Text.Json;
using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Text;

/// <summary>
/// The parts of a SentencePiece unigram model the encoder needs, read from <c>spiece.model</c> (the
/// ModelProto protobuf) or from a Hugging Face <c>tokenizer.json</c> with a Unigram model.
/// </summary>
internal sealed record SentencePieceModel
{
    public enum PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 }

    public required string[] Pieces { get; init; }
    public required float[] Scores { get; init; }
    public required PieceType[] Types { get; init; }
    public int ModelType { get; init; } = 1;      // 1 = unigram
    public bool ByteFallback { get; init; }
    public bool TreatWhitespaceAsSuffix { get; init; }
    public byte[]? PrecompiledCharsMap { get; init; }
    public string NormalizerName { get; init; } = "";
    public bool AddDummyPrefix { get; init; } = true;
    public bool RemoveExtraWhitespaces { get; init; } = true;
    public bool EscapeWhitespaces { get; init; } = true;

    // ---- spiece.model (protobuf) ----

    public static SentencePieceModel FromProto(string path)
    {
        if (!File.Exists(path)) throw new InputException($"SentencePiece model not found: {path}");
        try { return FromProto(File.ReadAllBytes(path)); }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            throw new InputException($"{path}: not a SentencePiece model ({e.Message})", e);
        }
    }

    public static SentencePieceModel FromProto(byte[] data)
    {
        var pieces = new List<string>();
        var scores = new List<float>();
        var types = new List<PieceType>();
        int modelType = 1;
        bool byteFallback = false, suffix = false, dummy = true, removeWs = true, escapeWs = true;
        byte[]? charsMap = null;
        var normName = "";
        var r = new ProtoReader(data, 0, data.Length);
        while (!r.End)
        {
            var (field, wire) = r.Key();
            if (field == 1 && wire == 2)
            {
                var m = r.Message();
                string piece = "";
                float score = 0;
                var type = PieceType.Normal;
                while (!m.End)
                {
                    var (f, w) = m.Key();
                    if (f == 1 && w == 2) piece = Encoding.UTF8.GetString(m.Bytes());
                    else if (f == 2 && w == 5) score = m.Fixed32Float();
                    else if (f == 3 && w == 0) type = (PieceType)m.Varint();
                    else m.Skip(w);
                }
                pieces.Add(piece);
                scores.Add(score);
                types.Add(type);
            }
            else if (field == 2 && wire == 2)
            {
                var m = r.Message();
                while (!m.End)
                {
                    var (f, w) = m.Key();
                    if (f == 3 && w == 0) modelType = (int)m.Varint();
                    else if (f == 24 && w == 0) suffix = m.Varint() != 0;
                    else if (f == 35 && w == 0) byteFallback = m.Varint() != 0;
                    else m.Skip(w);
                }
            }
            else if (field == 3 && wire == 2)
            {
                var m = r.Message();
                while (!m.End)
                {
                    var (f, w) = m.Key();
                    if (f == 1 && w == 2) normName = Encoding.UTF8.GetString(m.Bytes());
                    else if (f == 2 && w == 2) charsMap = m.Bytes().ToArray();
                    else if (f == 3 && w == 0) dummy = m.Varint() != 0;
                    else if (f == 4 && w == 0) removeWs = m.Varint() != 0;
                    else if (f == 5 && w == 0) escapeWs = m.Varint() != 0;
                    else m.Skip(w);
                }
            }
            else r.Skip(wire);
        }
        if (pieces.Count == 0) throw new FormatException("no pieces");
        return new SentencePieceModel
        {
            Pieces = pieces.ToArray(), Scores = scores.ToArray(), Types = types.ToArray(), ModelType = modelType,
            ByteFallback = byteFallback, TreatWhitespaceAsSuffix = suffix, PrecompiledCharsMap = charsMap is { Length: > 0 } ? charsMap : null,
            NormalizerName = normName, AddDummyPrefix = dummy, RemoveExtraWhitespaces = removeWs, EscapeWhitespaces = escapeWs,
        };
    }

    private ref struct ProtoReader(byte[] data, int pos, int end)
    {
        private int _pos = pos;
        public readonly bool End => _pos >= end;

        public (int Field, int Wire) Key()
        {
            var k = Varint();
            return ((int)(k >> 3), (int)(k & 7));
        }

        public ulong Varint()
        {
            ulong v = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (_pos >= end || shift > 63) throw new FormatException("truncated varint");
                var b = data[_pos++];
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return v;
            }
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var n = checked((int)Varint());
            if (n < 0 || _pos + n > end) throw new FormatException("length-delimited field runs past its message");
            var s = new ReadOnlySpan<byte>(data, _pos, n);
            _pos += n;
            return s;
        }

        public ProtoReader Message()
        {
            var n = checked((int)Varint());
            if (n < 0 || _pos + n > end) throw new FormatException("sub-message runs past its parent");
            var m = new ProtoReader(data, _pos, _pos + n);
            _pos += n;
            return m;
        }

        public float Fixed32Float()
        {
            if (_pos + 4 > end) throw new FormatException("truncated float");
            var f = BitConverter.ToSingle(data, _pos);
            _pos += 4;
            return f;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _pos += 8; break;
                case 2: Bytes(); break;
                case 5: _pos += 4; break;
                default: throw new FormatException($"unsupported wire type {wire}");
            }
            if (_pos > end) throw new FormatException("field runs past its message");
        }
    }

    // ---- tokenizer.json (Hugging Face tokenizers, Unigram model) ----

    public static SentencePieceModel FromTokenizerJson(string path)
    {
        if (!File.Exists(path)) throw new InputException($"tokenizer file not found: {path}");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            var model = root.GetProperty("model");
            if (!model.TryGetProperty("type", out var t) || t.GetString() != "Unigram")
                throw new InputException($"{path}: model.type must be \"Unigram\" for a sentencepiece-unigram tokenizer");
            var vocab = model.GetProperty("vocab");
            var n = vocab.GetArrayLength();
            var pieces = new string[n];
            var scores = new float[n];
            var types = new PieceType[n];
            var i = 0;
            foreach (var entry in vocab.EnumerateArray())
            {
                pieces[i] = entry[0].GetString() ?? "";
                scores[i] = (float)entry[1].GetDouble();
                types[i] = PieceType.Normal;
                i++;
            }
            if (model.TryGetProperty("unk_id", out var unk) && unk.ValueKind == JsonValueKind.Number) types[unk.GetInt32()] = PieceType.Unknown;
            if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
                foreach (var a in added.EnumerateArray())
                    if (a.TryGetProperty("special", out var sp) && sp.GetBoolean() && a.GetProperty("id").GetInt32() is var id && id < n && types[id] != PieceType.Unknown)
                        types[id] = PieceType.Control;
            var byteFallback = model.TryGetProperty("byte_fallback", out var bf) && bf.ValueKind == JsonValueKind.True;
            for (var k = 0; k < n; k++)
                if (byteFallback && pieces[k].Length == 6 && pieces[k].StartsWith("<0x", StringComparison.Ordinal) && pieces[k].EndsWith('>')) types[k] = PieceType.Byte;
            byte[]? charsMap = null;
            if (root.TryGetProperty("normalizer", out var norm) && norm.ValueKind == JsonValueKind.Object) charsMap = FindCharsMap(norm);
            var addPrefix = true;
            if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind == JsonValueKind.Object) addPrefix = MetaspacePrefix(pre) ?? true;
            return new SentencePieceModel
            {
                Pieces = pieces, Scores = scores, Types = types, ByteFallback = byteFallback, PrecompiledCharsMap = charsMap,
                NormalizerName = charsMap is null ? "identity" : "precompiled", AddDummyPrefix = addPrefix,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            throw new InputException($"{path}: not a valid Unigram tokenizer.json ({e.Message})", e);
        }
    }

    private static byte[]? FindCharsMap(JsonElement norm)
    {
        var type = norm.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type == "Precompiled" && norm.TryGetProperty("precompiled_charsmap", out var cm) && cm.ValueKind == JsonValueKind.String)
            return Convert.FromBase64String(cm.GetString()!);
        if (type == "Sequence" && norm.TryGetProperty("normalizers", out var list))
            foreach (var n in list.EnumerateArray())
                if (FindCharsMap(n) is { } found) return found;
        return null;
    }

    private static bool? MetaspacePrefix(JsonElement pre)
    {
        var type = pre.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type == "Metaspace")
        {
            if (pre.TryGetProperty("add_prefix_space", out var a) && a.ValueKind is JsonValueKind.True or JsonValueKind.False) return a.GetBoolean();
            if (pre.TryGetProperty("prepend_scheme", out var p)) return p.GetString() != "never";
            return true;
        }
        if (type == "Sequence" && pre.TryGetProperty("pretokenizers", out var list))
            foreach (var n in list.EnumerateArray())
                if (MetaspacePrefix(n) is { } found) return found;
        return null;
    }
}
