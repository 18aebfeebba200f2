using RsGeoSearch.Core;
using RsGeoSearch.Inference.Models;

namespace RsGeoSearch.Inference.Tests;

public class EncoderTests
{
    private static TinyClipFixture Tiny => TinyClipFixture.Instance;
    private Model _model = null!;

    [OneTimeSetUp]
    public void Load() => _model = Model.Load(Tiny.Directory);

    [OneTimeTearDown]
    public void Unload() => _model.Dispose();

    private static void AssertClose(float[] actual, float[] expected, double tolerance, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        var worst = actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max();
        Assert.That(worst, Is.LessThanOrEqualTo(tolerance), $"{what}: max |C# - torch| = {worst:E2}");
    }

    [Test]
    public void Image_embeddings_match_torch_within_1e4()
    {
        var chips = Enumerable.Range(0, Tiny.Images.Length).Select(Tiny.Chip).ToArray();
        var embeddings = _model.EncodeImages(chips);
        for (var i = 0; i < chips.Length; i++)
        {
            AssertClose(embeddings[i], Tiny.ImageRef(i), 1e-4, Path.GetFileName(Tiny.Images[i]));
            Assert.That(Math.Sqrt(embeddings[i].Sum(v => (double)v * v)), Is.EqualTo(1.0).Within(1e-5));
        }
        // Different scenes give different embeddings (the comparison is not trivially satisfied).
        Assert.That(Similarity.Cosine(embeddings[0], embeddings[1]), Is.LessThan(0.9999f));
    }

    [Test]
    public void Text_embeddings_through_the_clip_tokenizer_match_torch_within_1e4()
    {
        var embeddings = _model.EncodeTexts(Tiny.Texts);
        for (var i = 0; i < Tiny.Texts.Length; i++) AssertClose(embeddings[i], Tiny.TextRef(i), 1e-4, Tiny.Texts[i]);
    }

    [Test]
    public void A_batch_of_n_equals_n_single_runs()
    {
        var chips = Enumerable.Range(0, Tiny.Images.Length).Select(Tiny.Chip).ToArray();
        var batch = _model.EncodeImages(chips);
        for (var i = 0; i < chips.Length; i++) AssertClose(batch[i], _model.EncodeImage(chips[i]), 1e-5, $"image {i}");

        var texts = _model.EncodeTexts(Tiny.Texts);
        for (var i = 0; i < Tiny.Texts.Length; i++) AssertClose(texts[i], _model.EncodeText(Tiny.Texts[i]), 1e-5, $"text {i}");
    }

    [Test]
    public void Concurrent_callers_get_the_same_embeddings_as_sequential_ones()
    {
        var chips = Enumerable.Range(0, Tiny.Images.Length).Select(Tiny.Chip).ToArray();
        var expectedImages = chips.Select(_model.EncodeImage).ToArray();
        var expectedTexts = Tiny.Texts.Select(_model.EncodeText).ToArray();
        var results = new float[16][][];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 8 }, k =>
            results[k] = k % 2 == 0 ? [_model.EncodeImage(chips[k / 2 % chips.Length])] : [_model.EncodeText(Tiny.Texts[k % Tiny.Texts.Length])]);
        for (var k = 0; k < 16; k++)
        {
            var expected = k % 2 == 0 ? expectedImages[k / 2 % chips.Length] : expectedTexts[k % Tiny.Texts.Length];
            AssertClose(results[k][0], expected, 1e-6, $"call {k}");
        }
    }

    [Test]
    public void Batches_larger_than_the_maximum_are_split()
    {
        var chips = Enumerable.Range(0, 7).Select(i => Tiny.Chip(i % Tiny.Images.Length)).ToArray();
        var old = _model.Images.MaxBatchSize;
        try
        {
            _model.Images.MaxBatchSize = 3;
            var embeddings = _model.EncodeImages(chips);
            for (var i = 0; i < chips.Length; i++) AssertClose(embeddings[i], Tiny.ImageRef(i % Tiny.Images.Length), 1e-4, $"chip {i}");
        }
        finally { _model.Images.MaxBatchSize = old; }
    }

    [Test]
    public void Chips_of_the_wrong_size_are_rejected()
    {
        var e = Assert.Throws<InputException>(() => _model.EncodeImage(new ChipImage(new float[3 * 32 * 32], 32, 32)));
        Assert.That(e!.Message, Does.Contain("64x64"));
    }

    [Test]
    public void Template_ensembles_are_the_renormalised_mean_of_normalised_template_embeddings()
    {
        string[] templates = ["a satellite photo of {}.", "an aerial image of {}."];
        var labels = new[] { "airport", "beach" };
        var ensembles = _model.EncodeLabels(labels, templates);
        for (var i = 0; i < labels.Length; i++)
        {
            var a = _model.EncodeText($"a satellite photo of {labels[i]}.");
            var b = _model.EncodeText($"an aerial image of {labels[i]}.");
            var mean = a.Zip(b, (x, y) => x + y).ToArray();
            Similarity.Normalize(mean);
            AssertClose(ensembles[i], mean, 1e-5, labels[i]);
        }
        // The manifest's templates are the default.
        AssertClose(_model.EncodeLabels(labels)[1], ensembles[1], 1e-6, "manifest templates");
        Assert.That(_model.PromptTemplates, Is.EqualTo(templates));
    }

    [Test]
    public void Softmax_scoring_sums_to_one_and_follows_the_logit_scale()
    {
        var image = _model.EncodeImage(Tiny.Chip(0));
        var labels = _model.EncodeLabels(["airport", "beach", "forest"]);
        var p = _model.Probabilities(image, labels);
        Assert.That(p.Sum(), Is.EqualTo(1f).Within(1e-5));
        var cos = Similarity.Cosines(image, labels);
        var expected0 = Math.Exp(100 * cos[0]) / cos.Sum(c => Math.Exp(100 * c));
        Assert.That(p[0], Is.EqualTo(expected0).Within(1e-5));
    }

    [Test]
    public void Sigmoid_scoring_gives_absolute_probabilities_with_scale_and_bias()
    {
        var p = Similarity.Probabilities(new ScoringSpec(ScoringKind.Sigmoid, 10f, -5f), new[] { 0.5f, 0.2f, 0.9f });
        Assert.That(p[0], Is.EqualTo(0.5f).Within(1e-6));
        Assert.That(p[1], Is.EqualTo(1 / (1 + Math.Exp(3))).Within(1e-6));
        Assert.That(p[2], Is.EqualTo(1 / (1 + Math.Exp(-4))).Within(1e-6));
        Assert.That(Similarity.Cosine([1, 0], [0, 2]), Is.EqualTo(0f).Within(1e-7));
        Assert.That(Similarity.Cosine([1, 1], [2, 2]), Is.EqualTo(1f).Within(1e-6));
    }

    [Test]
    public void The_model_exposes_name_family_dimension_and_preprocessing()
    {
        Assert.That(_model.Name, Is.EqualTo("tiny-clip"));
        Assert.That(_model.Family, Is.EqualTo(ModelFamily.Clip));
        Assert.That(_model.Dimension, Is.EqualTo(16));
        Assert.That(_model.Preprocessing.Size, Is.EqualTo(64));
        Assert.That(_model.Preprocessing.Resize, Is.EqualTo(ResizeMode.ShortestSideCenterCrop));
        Assert.That(_model.Preprocessing.Interpolation, Is.EqualTo(Interpolation.Bicubic));
        Assert.That(_model.Preprocessing.Mean[0], Is.EqualTo(0.48145466f));
        Assert.That(_model.Scoring.Kind, Is.EqualTo(ScoringKind.Softmax));
        Assert.That(_model.Texts.HasMask, Is.True);
    }
}
