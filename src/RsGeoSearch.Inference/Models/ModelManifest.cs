using System.Text.Json;
using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Models;

/// <summary>
/// A model folder's <c>manifest.json</c> (format in models/MANIFEST.md). <see cref="Load"/> validates it and
/// names the file and field in every error.
/// </summary>
public sealed record ModelManifest(
    string Name,
    ModelFamily Family,
    int EmbeddingDim,
    ImageSpec Image,
    TextSpec Text,
    ScoringSpec Scoring,
    IReadOnlyList<string> PromptTemplates,
    string? Description)
{
    public const string FileName = "manifest.json";

    /// <summary>Reads and validates <paramref name="path"/> (a manifest.json or the folder holding one).</summary>
    public static ModelManifest Load(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, FileName);
        if (!File.Exists(path)) throw new InputException($"model manifest not found: {path}");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new InputException($"{path}: not valid JSON ({e.Message})", e); }
        using (doc)
        {
            var r = new Reader(path);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InputException($"{path}: the manifest must be a JSON object");
            var dirName = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "model";
            var name = r.OptString(root, "name") ?? dirName;
            var family = r.Enum(root, "family", s => s switch
            {
                "clip" => ModelFamily.Clip, "siglip" => ModelFamily.Siglip, "rsgeo" => ModelFamily.Rsgeo, _ => (ModelFamily?)null,
            }, "clip | siglip | rsgeo");
            var dim = r.Int(root, "embedding_dim", min: 1);

            var img = r.Object(root, "image");
            var size = r.Int(img, "image.size", "size", min: 1);
            var resize = r.OptString(img, "resize") is { } rs
                ? rs switch
                {
                    "squash" => ResizeMode.Squash,
                    "shortest_side_center_crop" => ResizeMode.ShortestSideCenterCrop,
                    _ => throw r.Error($"image.resize '{rs}' is not squash or shortest_side_center_crop"),
                }
                : family == ModelFamily.Clip ? ResizeMode.ShortestSideCenterCrop : ResizeMode.Squash;
            var interp = r.OptString(img, "interpolation") is { } ip
                ? ip switch
                {
                    "bilinear" => Interpolation.Bilinear, "bicubic" => Interpolation.Bicubic, "nearest" => Interpolation.Nearest,
                    _ => throw r.Error($"image.interpolation '{ip}' is not bilinear, bicubic or nearest"),
                }
                : family == ModelFamily.Rsgeo ? Interpolation.Bilinear : Interpolation.Bicubic;
            var mean = r.Triple(img, "image.mean", "mean");
            var std = r.Triple(img, "image.std", "std");
            if (std.Any(s => s <= 0)) throw r.Error("image.std values must be positive");
            var image = new ImageSpec(r.String(img, "image.onnx", "onnx"), r.OptString(img, "input") ?? "pixel_values",
                r.OptString(img, "output") ?? "image_embeds", new ImagePreprocessing(size, resize, interp, mean, std));

            var txt = r.Object(root, "text");
            var context = r.Int(txt, "text.context_length", "context_length", min: 2);
            var tok = r.Object(txt, "tokenizer", "text.tokenizer");
            var kind = r.Enum(tok, "kind", s => s switch
            {
                "wordpiece" => TokenizerKind.WordPiece, "clip-bpe" => TokenizerKind.ClipBpe, "sentencepiece-unigram" => TokenizerKind.SentencePieceUnigram,
                _ => (TokenizerKind?)null,
            }, "wordpiece | clip-bpe | sentencepiece-unigram", "text.tokenizer.kind");
            var files = new Dictionary<string, string>();
            if (tok.TryGetProperty("files", out var f) && f.ValueKind == JsonValueKind.Object)
                foreach (var p in f.EnumerateObject())
                    files[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw r.Error($"text.tokenizer.files.{p.Name} must be a file name");
            else throw r.Error("text.tokenizer.files is missing (e.g. { \"vocab\": \"vocab.txt\" })");
            var needed = kind switch
            {
                TokenizerKind.WordPiece => new[] { "vocab" },
                TokenizerKind.ClipBpe => ["bpe"],
                _ => files.ContainsKey("spiece") ? ["spiece"] : ["tokenizer_json"],
            };
            foreach (var key in needed)
                if (!files.ContainsKey(key))
                    throw r.Error($"text.tokenizer.files.{key} is missing for a {ToName(kind)} tokenizer" +
                                  (kind == TokenizerKind.SentencePieceUnigram ? " (give spiece or tokenizer_json)" : ""));
            var tokenizer = new TokenizerSpec(kind, files,
                Lowercase: r.OptBool(tok, "lowercase") ?? true,
                SigLipCanonicalize: r.OptBool(tok, "siglip_canonicalize") ?? (family == ModelFamily.Siglip),
                AddEos: r.OptBool(tok, "add_eos") ?? true,
                PadId: r.OptInt(tok, "pad_id"),
                EosId: r.OptInt(tok, "eos_id"));
            var text = new TextSpec(r.String(txt, "text.onnx", "onnx"), r.OptString(txt, "input_ids") ?? "input_ids",
                r.OptString(txt, "attention_mask"), r.OptString(txt, "output") ?? "text_embeds", context, tokenizer);

            ScoringSpec scoring;
            if (root.TryGetProperty("scoring", out var sc) && sc.ValueKind == JsonValueKind.Object)
            {
                var sk = r.OptString(sc, "kind") is { } k
                    ? k switch { "softmax" => ScoringKind.Softmax, "sigmoid" => ScoringKind.Sigmoid, _ => throw r.Error($"scoring.kind '{k}' is not softmax or sigmoid") }
                    : family == ModelFamily.Siglip ? ScoringKind.Sigmoid : ScoringKind.Softmax;
                var scale = r.OptFloat(sc, "logit_scale") ?? 100f;
                if (!(scale > 0)) throw r.Error("scoring.logit_scale must be positive (the multiplier, not its logarithm)");
                scoring = new ScoringSpec(sk, scale, r.OptFloat(sc, "logit_bias") ?? 0f);
            }
            else throw r.Error("scoring is missing (e.g. { \"kind\": \"softmax\", \"logit_scale\": 100 })");

            var templates = new List<string>();
            if (root.TryGetProperty("prompt_templates", out var pt))
            {
                if (pt.ValueKind != JsonValueKind.Array) throw r.Error("prompt_templates must be a list of strings with {} for the label");
                foreach (var t in pt.EnumerateArray())
                {
                    var s = t.ValueKind == JsonValueKind.String ? t.GetString()! : throw r.Error("prompt_templates must hold strings");
                    if (!s.Contains("{}")) throw r.Error($"prompt template '{s}' has no {{}} for the label");
                    templates.Add(s);
                }
            }
            return new ModelManifest(name, family, dim, image, text, scoring, templates, r.OptString(root, "description"));
        }
    }

    public static string ToName(TokenizerKind kind) => kind switch
    {
        TokenizerKind.WordPiece => "wordpiece", TokenizerKind.ClipBpe => "clip-bpe", _ => "sentencepiece-unigram",
    };

    public static string ToName(ModelFamily family) => family.ToString().ToLowerInvariant();

    /// <summary>Every file the manifest names (graphs first), relative to the model folder.</summary>
    public IEnumerable<string> Files() => new[] { Image.Onnx, Text.Onnx }.Concat(Text.Tokenizer.Files.Values);

    private sealed class Reader(string path)
    {
        public InputException Error(string message) => new($"{path}: {message}");

        public JsonElement Object(JsonElement parent, string name, string? label = null)
        {
            if (!parent.TryGetProperty(name, out var e)) throw Error($"{label ?? name} is missing");
            if (e.ValueKind != JsonValueKind.Object) throw Error($"{label ?? name} must be an object");
            return e;
        }

        public string String(JsonElement parent, string label, string? name = null)
        {
            name ??= label;
            if (!parent.TryGetProperty(name, out var e)) throw Error($"{label} is missing");
            if (e.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(e.GetString())) throw Error($"{label} must be a non-empty string");
            return e.GetString()!;
        }

        public string? OptString(JsonElement parent, string name)
        {
            if (!parent.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
            if (e.ValueKind != JsonValueKind.String) throw Error($"{name} must be a string");
            return e.GetString();
        }

        public bool? OptBool(JsonElement parent, string name)
        {
            if (!parent.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
            return e.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw Error($"{name} must be true or false") };
        }

        public int Int(JsonElement parent, string label, string? name = null, int min = int.MinValue)
        {
            name ??= label;
            if (!parent.TryGetProperty(name, out var e)) throw Error($"{label} is missing");
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var v)) throw Error($"{label} must be an integer");
            if (v < min) throw Error($"{label} must be at least {min}, not {v}");
            return v;
        }

        public int? OptInt(JsonElement parent, string name)
        {
            if (!parent.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var v)) throw Error($"{name} must be an integer");
            return v;
        }

        public float? OptFloat(JsonElement parent, string name)
        {
            if (!parent.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
            if (e.ValueKind != JsonValueKind.Number) throw Error($"{name} must be a number");
            return (float)e.GetDouble();
        }

        public float[] Triple(JsonElement parent, string label, string name)
        {
            if (!parent.TryGetProperty(name, out var e)) throw Error($"{label} is missing (three numbers, R G B)");
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 3 || e.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number))
                throw Error($"{label} must be three numbers (R, G, B)");
            return e.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
        }

        public T Enum<T>(JsonElement parent, string name, Func<string, T?> parse, string allowed, string? label = null) where T : struct
        {
            label ??= name;
            if (!parent.TryGetProperty(name, out var e)) throw Error($"{label} is missing ({allowed})");
            var s = e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Error($"{label} must be a string ({allowed})");
            return parse(s) ?? throw Error($"{label} '{s}' is not one of {allowed}");
        }
    }
}
