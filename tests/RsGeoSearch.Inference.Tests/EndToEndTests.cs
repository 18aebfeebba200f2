using RsGeoSearch.Inference.Models;
using RsGeoSearch.Raster;
using RsGeoSearch.Core;

namespace RsGeoSearch.Inference.Tests;

/// <summary>
/// The whole image path: GDAL reads and resizes the scene (Raster stage), the encoder normalises and runs ORT, and
/// the result is compared with torch on PIL-resized pixels. GDAL's and PIL's bilinear resamplers differ slightly,
/// so the tolerance is looser than the 1e-4 of the identical-pixels comparison in <see cref="EncoderTests"/>.
/// </summary>
public class EndToEndTests
{
    private static TinyClipFixture Tiny => TinyClipFixture.Instance;

    [Test]
    public void Gdal_read_and_preprocessing_match_torch_on_pil_pixels()
    {
        using var model = Model.Load(Tiny.Directory);
        var p = model.Preprocessing;
        for (var i = 0; i < Tiny.Images.Length; i++)
        {
            var chip = ImageReader.Read(Tiny.Images[i], p.Size, p.Size, ResizeMode.Squash, Resampling.Bilinear);
            var pil = Tiny.Chip(i).Chw;
            var meanAbs = chip.Chw.Zip(pil, (a, b) => Math.Abs(a - b)).Average();
            Assert.That(meanAbs, Is.LessThan(0.03), $"{Path.GetFileName(Tiny.Images[i])}: mean |GDAL - PIL| pixel difference");

            var embedding = model.EncodeImage(chip);
            var cosine = Similarity.Cosine(embedding, Tiny.ImageRef(i));
            TestContext.Out.WriteLine($"{Path.GetFileName(Tiny.Images[i])}: mean pixel diff {meanAbs:F4}, cosine to torch {cosine:F5}");
            Assert.That(cosine, Is.GreaterThan(0.99f));
            Assert.That(embedding.Zip(Tiny.ImageRef(i), (a, b) => Math.Abs(a - b)).Max(), Is.LessThan(0.02));
            // It is closest to its own scene's reference among all references.
            var others = Enumerable.Range(0, Tiny.Images.Length).Where(j => j != i).Select(j => Similarity.Cosine(embedding, Tiny.ImageRef(j)));
            Assert.That(others, Is.All.LessThan(cosine));
        }
    }
}
