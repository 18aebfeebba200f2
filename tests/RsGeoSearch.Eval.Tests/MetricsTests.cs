using RsGeoSearch.Evaluation;

namespace RsGeoSearch.Eval.Tests;

/// <summary>The metric code on hand-made scores and embeddings whose answers are worked out by hand.</summary>
public class MetricsTests
{
    [Test]
    public void Classification_metrics_count_top1_top5_per_class_and_confusion()
    {
        // 6 classes; image 0 (class 0) right; image 1 (class 0) predicted 2, true class 2nd; image 2 (class 1) predicted 0,
        // true class last (6th); image 3 (class 1) right; image 4 (class 5) predicted 4, true class 5th.
        float[][] scores =
        [
            [0.9f, 0.1f, 0.2f, 0.3f, 0.0f, 0.0f],
            [0.5f, 0.1f, 0.6f, 0.3f, 0.0f, 0.0f],
            [0.9f, -0.5f, 0.8f, 0.7f, 0.6f, 0.5f],
            [0.1f, 0.8f, 0.2f, 0.3f, 0.0f, 0.0f],
            [0.9f, 0.8f, 0.7f, 0.6f, 0.95f, 0.65f],
        ];
        int[] truth = [0, 0, 1, 1, 5];
        var m = ClassificationMetrics.Compute(6, truth, scores);
        Assert.Multiple(() =>
        {
            Assert.That(m.Images, Is.EqualTo(5));
            Assert.That(m.Top1, Is.EqualTo(2 / 5.0));
            Assert.That(m.Top5, Is.EqualTo(4 / 5.0));
            Assert.That(m.PerClass[0], Is.EqualTo(new ClassAccuracy(2, 1, 2)));
            Assert.That(m.PerClass[1], Is.EqualTo(new ClassAccuracy(2, 1, 1)));
            Assert.That(m.PerClass[5], Is.EqualTo(new ClassAccuracy(1, 0, 1)));
            Assert.That(m.PerClass[2].Images, Is.Zero);
            Assert.That(m.PerClass[2].Top1, Is.Null);
            Assert.That(m.MeanClassAccuracy, Is.EqualTo((0.5 + 0.5 + 0.0) / 3).Within(1e-15));
            Assert.That(m.Confusion[0], Is.EqualTo(new[] { 1, 0, 1, 0, 0, 0 }));
            Assert.That(m.Confusion[1], Is.EqualTo(new[] { 1, 1, 0, 0, 0, 0 }));
            Assert.That(m.Confusion[5], Is.EqualTo(new[] { 0, 0, 0, 0, 1, 0 }));
            Assert.That(m.Confusion.Sum(r => r.Sum()), Is.EqualTo(5));
        });
    }

    [Test]
    public void Ties_go_to_the_lower_index_in_prediction_and_rank()
    {
        float[] s = [0.5f, 0.7f, 0.7f, 0.1f];
        Assert.Multiple(() =>
        {
            Assert.That(Ranking.Best(s), Is.EqualTo(1));
            Assert.That(Ranking.Position(s, 1), Is.Zero);
            Assert.That(Ranking.Position(s, 2), Is.EqualTo(1));
            Assert.That(Ranking.Position(s, 0), Is.EqualTo(2));
            Assert.That(Ranking.Position(s, 3), Is.EqualTo(3));
        });
        var m = ClassificationMetrics.Compute(4, [2], [s]);
        Assert.That(m.Top1, Is.Zero);
        Assert.That(m.Confusion[2][1], Is.EqualTo(1));
    }

    private static float[] Unit(double angleDegrees)
    {
        var a = angleDegrees * Math.PI / 180;
        return [(float)Math.Cos(a), (float)Math.Sin(a)];
    }

    [Test]
    public void Retrieval_recall_counts_the_image_of_each_caption_and_any_caption_of_each_image()
    {
        // 12 images on a circle every 30° (image i at 30i°); captions point near some image.
        var images = Enumerable.Range(0, 12).Select(i => Unit(30 * i)).ToArray();
        // caption 0 (image 0) at 2°: image 0 is nearest → rank 0.
        // caption 1 (image 0) at 62°: nearer are 60°, 90°, 30° and 120° (images 2, 3, 1, 4), so image 0 is 5th.
        // caption 2 (image 5) at 330°+1: nearest img 11, img 0, img 10, img 1, img 9 ... img 5 at 150° is opposite → rank 11.
        // caption 3 (image 6) at 178°: img 6 (180°) nearest → rank 0.
        var texts = new[] { Unit(2), Unit(62), Unit(331), Unit(178) };
        int[] owners = [0, 0, 5, 6];
        // images 1..4, 7..11 have no captions: give each one caption exactly at its own angle (rank 0 both ways) ...
        var extraImages = new[] { 1, 2, 3, 4, 7, 8, 9, 10, 11 };
        var allTexts = texts.Concat(extraImages.Select(i => Unit(30 * i + 0.5))).ToArray();
        var allOwners = owners.Concat(extraImages).ToArray();
        var m = RetrievalMetrics.Compute(images, allTexts, allOwners);

        // text→image: 13 captions; positions 0, 4, 11, 0 and 0 for the nine extra ones.
        Assert.That(m.TextToImage, Is.EqualTo(new RecallAtK(11 / 13.0, 12 / 13.0, 12 / 13.0)));
        // image→text for image 0: caption 0 (2°) is nearest of all captions → hit@1.
        // image 5 (150°): its only caption is at 331°, farther than all but 330.5° → position 11, a miss even at 10.
        // image 6 (180°): caption 3 at 178° nearest → hit@1. Extra images: own caption 0.5° off is nearest (others ≥ 29.5° away).
        Assert.That(m.ImageToText, Is.EqualTo(new RecallAtK(11 / 12.0, 11 / 12.0, 11 / 12.0)));
        Assert.That(m.MeanRecall, Is.EqualTo((11 / 13.0 + 12 / 13.0 + 12 / 13.0 + 3 * 11 / 12.0) / 6).Within(1e-15));
        Assert.That(m.Images, Is.EqualTo(12));
        Assert.That(m.Captions, Is.EqualTo(13));
    }

    [Test]
    public void Image_to_text_takes_the_best_of_an_images_captions()
    {
        // image 0 at 0°, image 1 at 90°; image 0 has a caption at 89° (bad) and one at 1° (good).
        float[][] images = [Unit(0), Unit(90)];
        float[][] texts = [Unit(89), Unit(88), Unit(1)];
        var m = RetrievalMetrics.Compute(images, texts, [0, 1, 0]);
        // image 0: captions ordered 1°, 88°, 89° → its 1° caption first → hit@1.
        // image 1: ordered 89°, 88°, 1° → its caption (88°) second → miss@1, hit@5.
        Assert.That(m.ImageToText, Is.EqualTo(new RecallAtK(0.5, 1, 1)));
        // text→image: 89° → image 1 first (owner 0: miss@1), 88° → image 1 (hit), 1° → image 0 (hit).
        Assert.That(m.TextToImage, Is.EqualTo(new RecallAtK(2 / 3.0, 1, 1)));
    }

    [Test]
    public void A_caption_text_shared_with_another_image_still_counts_for_its_own_image()
    {
        // images A (1,0) and B (0,1) both have the caption "X" = (s,s) (the same text, so the same embedding); C has "Z".
        const float h = 0.70710677f;
        float[][] images = [[1, 0], [0, 1], [-1, 0]];
        float[][] texts = [[h, h], [h, h], [-1, 0]];
        var m = RetrievalMetrics.Compute(images, texts, [0, 1, 2]);
        // image B: captions 0 and 1 tie at the top; caption 0 (A's copy) does not push B's own copy down → hit@1.
        Assert.That(m.ImageToText.R1, Is.EqualTo(1));
        // text→image: A and B tie for "X" → each copy finds its own image at the top.
        Assert.That(m.TextToImage.R1, Is.EqualTo(1));
        Assert.That(Ranking.Rank([0.5f, 0.7f, 0.7f], 2), Is.Zero);
        Assert.That(Ranking.Position([0.5f, 0.7f, 0.7f], 2), Is.EqualTo(1));
    }

    [Test]
    public void Metrics_reject_inconsistent_input()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute(3, [0, 1], [[1f, 0f, 0f]]));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute(3, [3], [[1f, 0f, 0f]]));
        Assert.Throws<ArgumentException>(() => RetrievalMetrics.Compute([Unit(0), Unit(90)], [Unit(0)], [0]));
        Assert.Throws<ArgumentException>(() => RetrievalMetrics.Compute([Unit(0)], [Unit(0)], [1]));
    }

    [TestCase("BareLand", "bare land")]
    [TestCase("StorageTanks", "storage tanks")]
    [TestCase("Airport", "airport")]
    [TestCase("DenseResidential", "dense residential")]
    [TestCase("storage_tanks", "storage tanks")]
    [TestCase("golf-course", "golf course")]
    [TestCase("RSImageryPort", "rs imagery port")]
    public void Class_labels_come_from_folder_names(string folder, string label) =>
        Assert.That(ClassNames.FromFolder(folder), Is.EqualTo(label));
}
