using System.Text.Json;
using RsGeoSearch.Core;
using RsGeoSearch.Inference.Models;

namespace RsGeoSearch.Inference.Tests;

/// <summary>
/// The bundled rsgeo-mini against the reference inputs/outputs its export script writes (models/rsgeo-mini/reference/).
/// Ignored until the model has been trained and exported.
/// </summary>
public class BundledModelTests
{
    private static string Dir => Path.Combine(TestEnvironment.RepositoryRoot, "models", "rsgeo-mini");

    private static Model LoadOrIgnore()
    {
        if (!File.Exists(Path.Combine(Dir, "manifest.json")) || !File.Exists(Path.Combine(Dir, "image.onnx")) ||
            !File.Exists(Path.Combine(Dir, "reference", "images.json")))
            Assert.Ignore("models/rsgeo-mini is not exported yet");
        return ModelRegistry.Default().Load(ModelRegistry.DefaultModel);
    }

    [Test]
    public void Image_embeddings_match_the_export_reference()
    {
        using var model = LoadOrIgnore();
        Assert.That(model.Family, Is.EqualTo(ModelFamily.Rsgeo));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "reference", "images.json")));
        var p = model.Preprocessing;
        var n = 0;
        foreach (var entry in doc.RootElement.GetProperty("images").EnumerateArray())
        {
            // The reference pixels are already normalised: undo mean/std so the encoder's own normalisation is exercised.
            var x = TestEnvironment.ReadFloats(Path.Combine(Dir, "reference", entry.GetProperty("pixel_values_file").GetString()!));
            var plane = p.Size * p.Size;
            for (var i = 0; i < x.Length; i++) x[i] = x[i] * p.Std[i / plane] + p.Mean[i / plane];
            var expected = entry.GetProperty("image_embeds").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var actual = model.EncodeImage(new ChipImage(x, p.Size, p.Size));
            Assert.That(actual.Zip(expected, (a, b) => Math.Abs(a - b)).Max(), Is.LessThan(1e-4), entry.GetProperty("source").GetString());
            n++;
        }
        Assert.That(n, Is.GreaterThan(0));
    }

    [Test]
    public void Token_ids_and_text_embeddings_match_the_export_reference()
    {
        using var model = LoadOrIgnore();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "reference", "texts.json")));
        var n = 0;
        foreach (var entry in doc.RootElement.GetProperty("texts").EnumerateArray())
        {
            var text = entry.GetProperty("text").GetString()!;
            var ids = entry.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.That(model.Tokenizer.Encode(text).Ids, Is.EqualTo(ids), text);
            var expected = entry.GetProperty("text_embeds").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            var actual = model.EncodeText(text);
            Assert.That(actual.Zip(expected, (a, b) => Math.Abs(a - b)).Max(), Is.LessThan(1e-4), text);
            n++;
        }
        Assert.That(n, Is.GreaterThan(0));
    }
}
