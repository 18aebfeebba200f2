using System.Text.Json;

namespace RsGeoSearch.Inference.Tests;

/// <summary>
/// The tiny random-weight CLIP-shaped model, exported once per test run by python/make_tiny_clip.py (Debian's
/// torch) into a temp folder, with torch's reference embeddings for three AID scenes and eight captions.
/// </summary>
internal sealed class TinyClipFixture
{
    private static readonly Lazy<TinyClipFixture> Shared = new(() => new TinyClipFixture());
    public static TinyClipFixture Instance => Shared.Value;

    public static void DeleteIfCreated()
    {
        if (Shared.IsValueCreated && System.IO.Directory.Exists(Shared.Value.Directory)) System.IO.Directory.Delete(Shared.Value.Directory, true);
    }

    public const int Size = 64, Dim = 16;

    private TinyClipFixture()
    {
        Directory = TestEnvironment.NewTempDirectory("rsgeo-tinyclip");
        var aid = RsGeoSearch.Core.SharedData.Path("scenes", "aid");
        Images = new[] { "Airport", "Beach", "Forest", "Farmland" }
            .Select(c => System.IO.Directory.EnumerateFiles(Path.Combine(aid, c), "*.jpg").Order(StringComparer.Ordinal).First())
            .ToArray();
        var bpe = Path.Combine(TestEnvironment.ClipBpeDirectory, "bpe_simple_vocab_16e6.txt.gz");
        var ids = Path.Combine(TestEnvironment.ClipBpeDirectory, "reference-token-ids.jsonl");
        TestEnvironment.Run(TestEnvironment.Python,
            new[] { TestEnvironment.PythonScript("make_tiny_clip.py"), "--out", Directory, "--bpe", bpe, "--token-ids", ids }.Concat(Images));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "reference.json")));
        Texts = doc.RootElement.GetProperty("texts").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Pixels = TestEnvironment.ReadFloats(Path.Combine(Directory, "pixels.bin"));
        ImageReference = TestEnvironment.ReadFloats(Path.Combine(Directory, "image_ref.bin"));
        TextReference = TestEnvironment.ReadFloats(Path.Combine(Directory, "text_ref.bin"));
    }

    public string Directory { get; }
    public string[] Images { get; }
    public string[] Texts { get; }
    public float[] Pixels { get; }
    public float[] ImageReference { get; }
    public float[] TextReference { get; }

    public string ImageOnnx => Path.Combine(Directory, "image.onnx");
    public string TextOnnx => Path.Combine(Directory, "text.onnx");

    public RsGeoSearch.Core.ChipImage Chip(int i)
    {
        var n = 3 * Size * Size;
        return new RsGeoSearch.Core.ChipImage(Pixels.AsSpan(i * n, n).ToArray(), Size, Size);
    }

    public float[] ImageRef(int i) => ImageReference.AsSpan(i * Dim, Dim).ToArray();
    public float[] TextRef(int i) => TextReference.AsSpan(i * Dim, Dim).ToArray();

    /// <summary>Copies the model folder (so a test may break it) and returns the copy.</summary>
    public string CopyTo(string parent, string name)
    {
        var dst = Path.Combine(parent, name);
        System.IO.Directory.CreateDirectory(dst);
        foreach (var f in new[] { "manifest.json", "image.onnx", "text.onnx", "bpe_simple_vocab_16e6.txt.gz" })
            File.Copy(Path.Combine(Directory, f), Path.Combine(dst, f));
        return dst;
    }
}
