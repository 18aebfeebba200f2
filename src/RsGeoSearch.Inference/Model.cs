using RsGeoSearch.Core;
using RsGeoSearch.Inference.Models;
using RsGeoSearch.Inference.Onnx;
using RsGeoSearch.Inference.Text;

namespace RsGeoSearch.Inference;

/// <summary>
/// A loaded model folder: manifest, tokenizer and (created on first use) the image and text encoders.
/// Thread-safe; dispose to free the ONNX Runtime sessions.
/// </summary>
public sealed class Model : IDisposable
{
    private readonly SessionSettings _settings;
    private readonly Lazy<ImageEncoder> _images;
    private readonly Lazy<TextEncoder> _texts;
    private readonly Lazy<Tokenizer> _tokenizer;

    private Model(string directory, ModelManifest manifest, SessionSettings settings)
    {
        Directory = directory;
        Manifest = manifest;
        _settings = settings;
        _tokenizer = new Lazy<Tokenizer>(() => CreateTokenizer(directory, manifest.Text));
        _images = new Lazy<ImageEncoder>(() =>
        {
            var session = OnnxSession.Open(Path.Combine(directory, manifest.Image.Onnx), _settings);
            try { return new ImageEncoder(session, manifest.Image, manifest.EmbeddingDim); }
            catch { session.Dispose(); throw; }
        });
        _texts = new Lazy<TextEncoder>(() =>
        {
            var tokenizer = _tokenizer.Value;
            var session = OnnxSession.Open(Path.Combine(directory, manifest.Text.Onnx), _settings);
            try { return new TextEncoder(session, manifest.Text, tokenizer, manifest.EmbeddingDim); }
            catch { session.Dispose(); throw; }
        });
    }

    public string Directory { get; }
    public ModelManifest Manifest { get; }
    public string Name => Manifest.Name;
    public ModelFamily Family => Manifest.Family;
    public int Dimension => Manifest.EmbeddingDim;

    /// <summary>What the Raster stage must deliver: size, resize mode, interpolation (and the mean/std applied here).</summary>
    public ImagePreprocessing Preprocessing => Manifest.Image.Preprocessing;
    public ScoringSpec Scoring => Manifest.Scoring;
    public IReadOnlyList<string> PromptTemplates => Manifest.PromptTemplates;

    /// <summary>
    /// Identifies the weights: a SHA-256 (first 16 hex digits) over each graph file and its external-data files
    /// (name, size, first and last MiB). The catalogue records it with a model's embeddings, so a folder whose
    /// weights changed under the same name is not queried against embeddings of the old weights.
    /// </summary>
    public string Fingerprint => _fingerprint ??= ComputeFingerprint(Directory, [Manifest.Image.Onnx, Manifest.Text.Onnx]);

    private string? _fingerprint;

    private static string ComputeFingerprint(string directory, IReadOnlyList<string> graphs)
    {
        const int Sample = 1 << 20;
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[Sample];
        foreach (var graph in graphs)
        {
            var path = Path.Combine(directory, graph);
            var files = new[] { path }.Concat(System.IO.Directory.EnumerateFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "?*")
                .Order(StringComparer.Ordinal));
            foreach (var file in files)
            {
                using var stream = File.OpenRead(file);
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{Path.GetFileName(file)}:{stream.Length};"));
                hash.AppendData(buffer, 0, stream.ReadAtLeast(buffer, Sample, throwOnEndOfStream: false));
                if (stream.Length > 2L * Sample)
                {
                    stream.Seek(-Sample, SeekOrigin.End);
                    hash.AppendData(buffer, 0, stream.ReadAtLeast(buffer, Sample, throwOnEndOfStream: false));
                }
                else if (stream.Length > Sample)
                {
                    hash.AppendData(buffer, 0, stream.ReadAtLeast(buffer, Sample, throwOnEndOfStream: false));
                }
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    public Tokenizer Tokenizer => _tokenizer.Value;
    public ImageEncoder Images => _images.Value;
    public TextEncoder Texts => _texts.Value;

    /// <summary>
    /// Loads a model folder: validates manifest.json and checks that every file it names exists (a folder without
    /// its ONNX graphs is "not exported"). The ONNX sessions are created on first use.
    /// </summary>
    public static Model Load(string directory, SessionSettings? settings = null)
    {
        directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(directory)) throw new InputException($"model folder not found: {directory}");
        var manifest = ModelManifest.Load(Path.Combine(directory, ModelManifest.FileName));
        var missingGraphs = new[] { manifest.Image.Onnx, manifest.Text.Onnx }.Where(f => !File.Exists(Path.Combine(directory, f))).ToArray();
        if (missingGraphs.Length > 0)
            throw new InputException($"model '{manifest.Name}' in {directory} is not exported: {string.Join(" and ", missingGraphs)} missing. " +
                                     "Export it first (see the export.py beside its manifest and models/README.md, \"Bringing your own model\").");
        foreach (var f in manifest.Text.Tokenizer.Files)
            if (!File.Exists(Path.Combine(directory, f.Value)))
                throw new InputException($"model '{manifest.Name}': tokenizer file {Path.Combine(directory, f.Value)} (text.tokenizer.files.{f.Key}) is missing");
        return new Model(directory, manifest, settings ?? SessionSettings.Default);
    }

    /// <summary>Creates the tokenizer a manifest's text section describes.</summary>
    public static Tokenizer CreateTokenizer(string directory, TextSpec text)
    {
        var t = text.Tokenizer;
        string File(string key) => Path.Combine(directory, t.Files[key]);
        return t.Kind switch
        {
            TokenizerKind.WordPiece => WordPieceTokenizer.Load(File("vocab"), text.ContextLength, t.Lowercase),
            TokenizerKind.ClipBpe => ClipBpeTokenizer.Load(File("bpe"), text.ContextLength),
            _ => SentencePieceTokenizer.Load(t.Files.ContainsKey("spiece") ? File("spiece") : File("tokenizer_json"), text.ContextLength,
                t.AddEos, t.SigLipCanonicalize, t.PadId, t.EosId),
        };
    }

    public float[][] EncodeImages(IReadOnlyList<ChipImage> chips) => Images.Encode(chips);
    public float[] EncodeImage(ChipImage chip) => Images.Encode(chip);
    public float[] EncodeText(string text) => Texts.Encode(text);
    public float[][] EncodeTexts(IReadOnlyList<string> texts) => Texts.Encode(texts);

    /// <summary>Label embeddings with the given templates, or the manifest's prompt templates when null.</summary>
    public float[][] EncodeLabels(IReadOnlyList<string> labels, IReadOnlyList<string>? templates = null) =>
        Texts.EncodeLabels(labels, templates ?? PromptTemplates);

    /// <summary>Probabilities of each text for one image (softmax over texts for CLIP/rsgeo, independent sigmoids for SigLIP).</summary>
    public float[] Probabilities(ReadOnlySpan<float> imageEmbedding, IReadOnlyList<float[]> textEmbeddings) =>
        Similarity.Probabilities(Scoring, Similarity.Cosines(imageEmbedding, textEmbeddings));

    public void Dispose()
    {
        if (_images.IsValueCreated) _images.Value.Dispose();
        if (_texts.IsValueCreated) _texts.Value.Dispose();
    }
}
