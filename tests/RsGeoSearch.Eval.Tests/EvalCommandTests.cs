using System.Numerics.Tensors;
using System.Text.Json;
using RsGeoSearch.Inference;
using RsGeoSearch.Evaluation;

namespace RsGeoSearch.Eval.Tests;

/// <summary>
/// `rsgeo eval` end to end with real ONNX models (the tiny random CLIP; rsgeo-mini once exported): the accuracy and
/// recall it reports equal those computed here, independently, from `rsgeo embed` output (.npy image and text
/// embeddings → dot products → ranks → metrics); corrupt images are reported and skipped; bad inputs exit 2.
/// </summary>
[NonParallelizable]
public class EvalCommandTests
{
    private static readonly string[] Classes = ["Airport", "BareLand", "Beach", "Forest", "StorageTanks", "Viaduct"];
    private static readonly string[] Labels = ["airport", "bare land", "beach", "forest", "storage tanks", "viaduct"];
    private static readonly string[] Templates = ["an aerial image of a {}.", "a satellite image of a {}."];

    public static IEnumerable<string> Models => ["tiny-clip", "rsgeo-mini"];

    private string _tmp = "";

    [SetUp]
    public void SetUp() => _tmp = EvalEnvironment.NewTempDirectory("rsgeo-eval-cli");

    [TearDown]
    public void TearDown() => Directory.Delete(_tmp, true);

    /// <summary>The model folder, and the images to draw from (rsgeo-mini: only its held-out validation images).</summary>
    private static (string Model, IReadOnlySet<string>? Only) Resolve(string which)
    {
        if (which == "tiny-clip") return (EvalEnvironment.TinyClip, null);
        var dir = EvalEnvironment.RsgeoMini;
        if (dir is null) Assert.Ignore("models/rsgeo-mini is not exported yet");
        return (dir!, ImageSubset.Read(Path.Combine(dir!, "train", "val_images.txt")));
    }

    private static JsonElement Json(EvalEnvironment.Result r)
    {
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.Clone();
    }

    /// <summary>`rsgeo embed` of images or texts → (inputs, rows).</summary>
    private (string[] Inputs, float[][] Rows) Embed(string model, string name, params string[] what)
    {
        var npy = Path.Combine(_tmp, name + ".npy");
        var r = EvalEnvironment.Rsgeo(["embed", .. what, "--model", model, "--out", npy]);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var inputs = File.ReadAllLines(Path.ChangeExtension(npy, ".txt"));
        var rows = EvalEnvironment.ReadNpy(npy);
        Assert.That(rows, Has.Length.EqualTo(inputs.Length));
        return (inputs, rows);
    }

    /// <summary>0-based position of <paramref name="target"/> among candidates sorted by score (desc), ties by index.</summary>
    private static int PositionOf(float[] scores, int target) =>
        scores.Where((s, j) => s > scores[target] || s == scores[target] && j < target).Count();

    /// <summary>Retrieval rank: how many candidates score strictly higher than <paramref name="target"/>.</summary>
    private static int RankOf(float[] scores, int target) => scores.Count(s => s > scores[target]);

    [TestCaseSource(nameof(Models))]
    public void Classify_accuracy_equals_the_accuracy_from_embed_output(string which)
    {
        var (model, only) = Resolve(which);
        var folder = EvalEnvironment.AidSubset(_tmp, Classes, 5, only);
        var outDir = Path.Combine(_tmp, "report");
        var r = EvalEnvironment.Rsgeo("eval", "classify", folder, "--model", model, "--template", Templates[0], "--template", Templates[1], "--json", "--out", outDir);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var json = Json(r);

        // independently: image embeddings and prompt embeddings from `rsgeo embed`, prompt ensembling and ranking here
        var (paths, images) = Embed(model, "images", folder);
        var prompts = Path.Combine(_tmp, "prompts.txt");
        File.WriteAllLines(prompts, Labels.SelectMany(l => Templates.Select(t => t.Replace("{}", l, StringComparison.Ordinal))));
        var (_, promptRows) = Embed(model, "prompts", "--texts", prompts);
        var classVectors = Labels.Select((_, c) =>
        {
            var mean = new float[promptRows[0].Length];
            for (var t = 0; t < Templates.Length; t++) TensorPrimitives.Add(mean, promptRows[c * Templates.Length + t], mean);
            Similarity.Normalize(mean);
            return mean;
        }).ToArray();
        var n = paths.Length;
        var confusion = new int[Labels.Length, Labels.Length];
        int top1 = 0, top5 = 0;
        var perClassCorrect = new int[Labels.Length];
        for (var i = 0; i < n; i++)
        {
            var truth = Array.IndexOf(Classes, Path.GetFileName(Path.GetDirectoryName(paths[i])));
            Assert.That(truth, Is.GreaterThanOrEqualTo(0), paths[i]);
            var scores = classVectors.Select(v => TensorPrimitives.Dot(images[i], v)).ToArray();
            var predicted = Array.IndexOf(scores, scores.Max());
            confusion[truth, predicted]++;
            if (predicted == truth) { top1++; perClassCorrect[truth]++; }
            if (PositionOf(scores, truth) < 5) top5++;
        }

        Assert.Multiple(() =>
        {
            Assert.That(n, Is.EqualTo(30));
            Assert.That(json.GetProperty("images").GetInt32(), Is.EqualTo(n));
            Assert.That(json.GetProperty("top1").GetDouble(), Is.EqualTo((double)top1 / n), "top-1");
            Assert.That(json.GetProperty("top5").GetDouble(), Is.EqualTo((double)top5 / n), "top-5");
            Assert.That(json.GetProperty("templates").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(Templates));
            var classes = json.GetProperty("classes").EnumerateArray().ToArray();
            Assert.That(classes.Select(c => c.GetProperty("label").GetString()), Is.EqualTo(Labels));
            Assert.That(classes.Select(c => c.GetProperty("top1").GetDouble()), Is.EqualTo(perClassCorrect.Select(k => k / 5.0)));
            Assert.That(json.GetProperty("mean_class_accuracy").GetDouble(), Is.EqualTo(perClassCorrect.Average(k => k / 5.0)).Within(1e-12));
            var matrix = json.GetProperty("confusion_matrix").EnumerateArray().Select(row => row.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
            for (var t = 0; t < Labels.Length; t++)
                Assert.That(matrix[t], Is.EqualTo(Enumerable.Range(0, Labels.Length).Select(p => confusion[t, p])), $"confusion row {t}");
        });
        TestContext.Out.WriteLine($"{which}: top-1 {top1}/{n}, top-5 {top5}/{n}");
        if (which == "rsgeo-mini")
            Assert.That((double)top1 / n, Is.GreaterThan(2.0 / Labels.Length), "rsgeo-mini on its held-out images: at least twice chance");

        // the report files: per-class legend, confusion CSV, predictions and the PNG plot
        var perClass = File.ReadAllLines(Path.Combine(outDir, ClassificationReportFiles.PerClass));
        Assert.That(perClass[0], Is.EqualTo("index,class,label,images,top1_correct,top1_accuracy,top5_accuracy"));
        Assert.That(perClass[5], Does.StartWith($"4,StorageTanks,storage tanks,5,{perClassCorrect[4]},"));
        var confusionCsv = File.ReadAllLines(Path.Combine(outDir, ClassificationReportFiles.Confusion));
        Assert.That(confusionCsv[2], Is.EqualTo("1,bare land," + string.Join(',', Enumerable.Range(0, 6).Select(p => confusion[1, p]))));
        var predictions = File.ReadAllLines(Path.Combine(outDir, ClassificationReportFiles.Predictions));
        Assert.That(predictions, Has.Length.EqualTo(n + 1));
        Assert.That(predictions.Count(l => l.EndsWith(",true", StringComparison.Ordinal)), Is.EqualTo(top1));
        var png = File.ReadAllBytes(Path.Combine(outDir, ClassificationReportFiles.Plot));
        var layout = ConfusionMatrixPlot.Layout(Enumerable.Range(0, 6).Select(_ => new int[6]).ToArray());
        var plot = RsGeoSearch.Raster.ImageReader.Read(png, "plot.png", layout.Width, layout.Height);
        var plane = plot.Width * plot.Height;
        var px = (layout.Top + 2) * plot.Width + layout.Left + 2; // cell (0, 0)
        var expected = ConfusionMatrixPlot.Color(confusion[0, 0] / 5.0);
        Assert.That(plot.Chw[px], Is.EqualTo(expected.R).Within(1 / 255.0 + 1e-6));
        Assert.That(plot.Chw[2 * plane + px], Is.EqualTo(expected.B).Within(1 / 255.0 + 1e-6));
    }

    [TestCaseSource(nameof(Models))]
    public void Retrieval_recall_equals_the_recall_from_embed_output(string which)
    {
        var (model, only) = Resolve(which);
        var folder = EvalEnvironment.AidSubset(_tmp, Classes, 5, only);
        var rows = EvalEnvironment.CaptionsFor(folder);
        Assert.That(rows.Count, Is.GreaterThanOrEqualTo(30 * 5));
        // columns in another order, with an extra one: found by name
        var tsv = EvalEnvironment.WriteTsv(Path.Combine(_tmp, "captions.tsv"), "caption\tsource\timage", rows.Select(x => $"{x.Caption}\trsicd\t{x.Image}"));
        var r = EvalEnvironment.Rsgeo("eval", "retrieval", "--images", folder, "--captions", tsv, "--model", model, "--json");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var json = Json(r);

        var (paths, imageRows) = Embed(model, "images", folder);
        var byName = paths.Select((p, i) => (Path.GetFileName(p), imageRows[i])).ToDictionary(x => x.Item1, x => x.Item2);
        var order = rows.Select(x => x.Image).Distinct().ToList();
        var images = order.Select(name => byName[name]).ToArray();
        var owner = rows.Select(x => order.IndexOf(x.Image)).ToArray();
        var texts = Path.Combine(_tmp, "captions.txt");
        File.WriteAllLines(texts, rows.Select(x => x.Caption));
        var (_, captions) = Embed(model, "captions", "--texts", texts);

        var t2i = captions.Select((c, k) => RankOf(images.Select(v => TensorPrimitives.Dot(c, v)).ToArray(), owner[k])).ToArray();
        var i2t = images.Select((v, i) =>
        {
            var scores = captions.Select(c => TensorPrimitives.Dot(v, c)).ToArray();
            return Enumerable.Range(0, captions.Length).Where(k => owner[k] == i).Min(k => RankOf(scores, k));
        }).ToArray();
        double Recall(int[] positions, int k) => (double)positions.Count(p => p < k) / positions.Length;

        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("images").GetInt32(), Is.EqualTo(30));
            Assert.That(json.GetProperty("captions").GetInt32(), Is.EqualTo(rows.Count));
            foreach (var k in new[] { 1, 5, 10 })
            {
                Assert.That(json.GetProperty("text_to_image").GetProperty($"R@{k}").GetDouble(), Is.EqualTo(Recall(t2i, k)), $"text→image R@{k}");
                Assert.That(json.GetProperty("image_to_text").GetProperty($"R@{k}").GetDouble(), Is.EqualTo(Recall(i2t, k)), $"image→text R@{k}");
            }
            var mean = new[] { 1, 5, 10 }.Sum(k => Recall(t2i, k) + Recall(i2t, k)) / 6;
            Assert.That(json.GetProperty("mean_recall").GetDouble(), Is.EqualTo(mean).Within(1e-12));
        });
        TestContext.Out.WriteLine($"{which}: t2i R@1/5/10 {Recall(t2i, 1):0.###}/{Recall(t2i, 5):0.###}/{Recall(t2i, 10):0.###}, i2t {Recall(i2t, 1):0.###}/{Recall(i2t, 5):0.###}/{Recall(i2t, 10):0.###}");
    }

    [Test]
    public void A_corrupt_image_is_reported_and_the_rest_evaluated()
    {
        var folder = EvalEnvironment.AidSubset(_tmp, Classes[..3], 3);
        var clean = EvalEnvironment.Rsgeo("eval", "classify", folder, "--model", EvalEnvironment.TinyClip, "--json");
        Assert.That(clean.ExitCode, Is.Zero, clean.ToString());
        var corrupt = Path.Combine(folder, "Beach", "beach_corrupt.jpg");
        File.WriteAllText(corrupt, "this is not a JPEG");

        var r = EvalEnvironment.Rsgeo("eval", "classify", folder, "--model", EvalEnvironment.TinyClip, "--json");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain("skipped " + corrupt + ": "));
        var json = Json(r);
        var skipped = json.GetProperty("skipped").EnumerateArray().Single();
        Assert.That(skipped.GetProperty("image").GetString(), Is.EqualTo(corrupt));
        Assert.That(skipped.GetProperty("reason").GetString(), Is.Not.Empty);
        Assert.That(json.GetProperty("images").GetInt32(), Is.EqualTo(9));
        var before = Json(clean);
        Assert.That(json.GetProperty("top1").GetDouble(), Is.EqualTo(before.GetProperty("top1").GetDouble()));
        Assert.That(json.GetProperty("confusion_matrix").ToString(), Is.EqualTo(before.GetProperty("confusion_matrix").ToString()));

        // retrieval: the corrupt image and its caption are left out, the rest evaluated
        var rows = EvalEnvironment.CaptionsFor(folder);
        var tsv = EvalEnvironment.WriteTsv(Path.Combine(_tmp, "c.tsv"), "image\tcaption",
            rows.Select(x => $"{x.Image}\t{x.Caption}").Append("beach_corrupt.jpg\twaves on a sandy beach"));
        r = EvalEnvironment.Rsgeo("eval", "retrieval", "--images", folder, "--captions", tsv, "--model", EvalEnvironment.TinyClip, "--json");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.ToString());
        Assert.That(r.Stderr, Does.Contain("skipped " + corrupt + ": "));
        json = Json(r);
        Assert.That(json.GetProperty("images").GetInt32(), Is.EqualTo(9));
        Assert.That(json.GetProperty("captions").GetInt32(), Is.EqualTo(rows.Count));
    }

    [Test]
    public void Calibrate_fits_relevance_prints_its_reliability_and_writes_it_beside_the_model()
    {
        var folder = EvalEnvironment.AidSubset(_tmp, Classes, 5);
        var tsv = EvalEnvironment.WriteTsv(Path.Combine(_tmp, "captions.tsv"), "image\tcaption",
            EvalEnvironment.CaptionsFor(folder).Select(x => $"{x.Image}\t{x.Caption}"));
        var model = Path.Combine(_tmp, "model");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.EnumerateFiles(EvalEnvironment.TinyClip)) File.Copy(file, Path.Combine(model, Path.GetFileName(file)));

        var r = EvalEnvironment.Rsgeo("eval", "calibrate", folder, "--captions", tsv, "--model", model, "--json", "--write");
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var printed = JsonDocument.Parse(r.Stdout).RootElement;
        var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "calibration.json"))).RootElement;
        Assert.That(written.GetProperty("a").GetDouble(), Is.EqualTo(printed.GetProperty("a").GetDouble()));
        Assert.That(written.GetProperty("reference_texts").GetArrayLength(), Is.EqualTo(Classes.Length + 30), "class labels and nonsense strings");
        var quality = written.GetProperty("quality");
        Assert.That(quality.GetProperty("auc").GetDouble(), Is.InRange(0.0, 1.0));
        var bins = quality.GetProperty("reliability").EnumerateArray().ToList();
        Assert.That(bins.Sum(b => b.GetProperty("pairs").GetInt32()), Is.EqualTo(written.GetProperty("data").GetProperty("check_pairs").GetInt32()));
        Assert.That(bins.All(b => b.GetProperty("observed").GetDouble() is >= 0 and <= 1), Is.True);

        r = EvalEnvironment.Rsgeo("eval", "calibrate", EvalEnvironment.AidSubset(Path.Combine(_tmp, "few"), Classes[..2], 3), "--model", model);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain("at least 20 labelled images"));
        r = EvalEnvironment.Rsgeo("eval", "calibrate", folder, "--captions", Path.Combine(_tmp, "none.tsv"), "--model", model);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain("no such file"));
    }

    [Test]
    public void Empty_folders_and_bad_caption_files_are_clear_errors_with_exit_code_2()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_tmp, "empty")).FullName;
        var r = EvalEnvironment.Rsgeo("eval", "classify", empty, "--model", EvalEnvironment.TinyClip);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain("rsgeo eval classify: error: ").And.Contain("no class sub-folders"));
        Directory.CreateDirectory(Path.Combine(empty, "Forest"));
        Directory.CreateDirectory(Path.Combine(empty, "Beach"));
        r = EvalEnvironment.Rsgeo("eval", "classify", empty, "--model", EvalEnvironment.TinyClip);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain("hold no images"));

        var folder = EvalEnvironment.AidSubset(_tmp, Classes[..2], 2);
        var rows = EvalEnvironment.CaptionsFor(folder).Select(x => $"{x.Image}\t{x.Caption}").ToList();
        var tsv = EvalEnvironment.WriteTsv(Path.Combine(_tmp, "missing.tsv"), "image\tcaption",
            rows.Concat(["airport_99999.jpg\ta lost airport", "forest_0.jpg\ta lost forest"]));
        r = EvalEnvironment.Rsgeo("eval", "retrieval", "--images", folder, "--captions", tsv, "--model", EvalEnvironment.TinyClip);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain("2 of the 6 images").And.Contain("airport_99999.jpg").And.Contain("forest_0.jpg"));

        tsv = EvalEnvironment.WriteTsv(Path.Combine(_tmp, "columns.tsv"), "filename\tsentence", rows);
        r = EvalEnvironment.Rsgeo("eval", "retrieval", "--images", folder, "--captions", tsv, "--model", EvalEnvironment.TinyClip);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain("columns 'image' and 'caption'"));

        r = EvalEnvironment.Rsgeo("eval", "classify", folder, "--model", EvalEnvironment.TinyClip, "--template", "no placeholder");
        Assert.That(r.ExitCode, Is.EqualTo(2), r.ToString());
        Assert.That(r.Stderr, Does.Contain("must contain {}"));
    }

    [Test]
    public void Compare_prints_models_side_by_side_and_labels_file_renames_classes()
    {
        // a second model: the tiny CLIP under another name
        var other = Directory.CreateDirectory(Path.Combine(_tmp, "tiny-clip-copy")).FullName;
        foreach (var f in new[] { "image.onnx", "text.onnx", "bpe_simple_vocab_16e6.txt.gz" })
            File.CreateSymbolicLink(Path.Combine(other, f), Path.Combine(EvalEnvironment.TinyClip, f));
        var manifest = File.ReadAllText(Path.Combine(EvalEnvironment.TinyClip, "manifest.json"));
        File.WriteAllText(Path.Combine(other, "manifest.json"), manifest.Replace("\"tiny-clip\"", "\"tiny-clip-copy\"", StringComparison.Ordinal));

        var folder = EvalEnvironment.AidSubset(_tmp, Classes[3..], 2);
        var labels = Path.Combine(_tmp, "labels.txt");
        File.WriteAllText(labels, "StorageTanks\toil storage tanks\n");
        var compare = $"{EvalEnvironment.TinyClip},{other}";
        var outDir = Path.Combine(_tmp, "out");
        var r = EvalEnvironment.Rsgeo("eval", "classify", folder, "--compare", compare, "--labels-file", labels, "--json", "--out", outDir);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var results = Json(r).EnumerateArray().ToArray();
        Assert.That(Path.Combine(outDir, "tiny-clip", ClassificationReportFiles.PerClass), Does.Exist);
        Assert.That(Path.Combine(outDir, "tiny-clip-copy", ClassificationReportFiles.Plot), Does.Exist);
        Assert.That(results[1].GetProperty("files").EnumerateArray().Select(f => f.GetString()),
            Has.Member(Path.Combine(outDir, "tiny-clip-copy", ClassificationReportFiles.Confusion)));
        Assert.That(results.Select(x => x.GetProperty("model").GetString()), Is.EqualTo(new[] { "tiny-clip", "tiny-clip-copy" }));
        Assert.That(results[1].GetProperty("top1").GetDouble(), Is.EqualTo(results[0].GetProperty("top1").GetDouble()));
        Assert.That(results[0].GetProperty("classes").EnumerateArray().Select(c => c.GetProperty("label").GetString()),
            Is.EqualTo(new[] { "forest", "oil storage tanks", "viaduct" }));

        r = EvalEnvironment.Rsgeo("eval", "classify", folder, "--compare", compare);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(r.Stdout, Does.Contain("top-1 accuracy").And.Contain("tiny-clip-copy").And.Contain("storage tanks"));
        var header = r.Stdout.Split('\n').First(l => l.Contains("metric", StringComparison.Ordinal));
        Assert.That(header, Does.Contain("tiny-clip").And.Contain("tiny-clip-copy"), "one column per model");

        var rows = EvalEnvironment.CaptionsFor(folder);
        var tsv = EvalEnvironment.WriteTsv(Path.Combine(_tmp, "c.tsv"), "image\tcaption", rows.Select(x => $"{x.Image}\t{x.Caption}"));
        r = EvalEnvironment.Rsgeo("eval", "retrieval", "--images", folder, "--captions", tsv, "--compare", compare);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        Assert.That(r.Stdout, Does.Contain("text→image R@1").And.Contain("mean recall").And.Contain("tiny-clip-copy"));
    }

    [Test]
    public void Other_raster_formats_are_read_through_gdal_like_the_jpegs()
    {
        var jpegs = EvalEnvironment.AidSubset(_tmp, Classes[..3], 2);
        var converted = Path.Combine(_tmp, "converted");
        var k = 0;
        foreach (var file in Directory.EnumerateFiles(jpegs, "*.jpg", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var dir = Directory.CreateDirectory(Path.Combine(converted, Path.GetFileName(Path.GetDirectoryName(file))!)).FullName;
            var (format, ext) = k++ % 2 == 0 ? ("GTiff", ".tif") : ("PNG", ".png");
            var r = EvalEnvironment.Run("gdal_translate", ["-q", "-of", format, file, Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ext)]);
            Assert.That(r.ExitCode, Is.Zero, r.ToString());
        }
        var a = EvalEnvironment.Rsgeo("eval", "classify", jpegs, "--model", EvalEnvironment.TinyClip, "--out", Path.Combine(_tmp, "a"), "--json");
        var b = EvalEnvironment.Rsgeo("eval", "classify", converted, "--model", EvalEnvironment.TinyClip, "--out", Path.Combine(_tmp, "b"), "--json");
        Assert.That(a.ExitCode, Is.Zero, a.ToString());
        Assert.That(b.ExitCode, Is.Zero, b.ToString());
        Assert.That(Json(b).GetProperty("confusion_matrix").ToString(), Is.EqualTo(Json(a).GetProperty("confusion_matrix").ToString()));
        // same pixels (decoded JPEG stored losslessly) → same cosines, image by image
        static IEnumerable<string> Cosines(string csv) => File.ReadAllLines(csv).Skip(1).Select(l => string.Join(',', l.Split(',')[1..]));
        Assert.That(Cosines(Path.Combine(_tmp, "b", ClassificationReportFiles.Predictions)),
            Is.EqualTo(Cosines(Path.Combine(_tmp, "a", ClassificationReportFiles.Predictions))));
    }

    [Test]
    public void Embed_texts_keeps_the_order_in_npy_and_json_lines()
    {
        var texts = Path.Combine(_tmp, "texts.txt");
        string[] lines = ["a runway with planes", "dense forest", "waves on a beach", "dense forest"];
        File.WriteAllLines(texts, lines);
        var (inputs, rows) = Embed(EvalEnvironment.TinyClip, "texts", "--texts", texts);
        Assert.That(inputs, Is.EqualTo(lines));
        var jsonl = Path.Combine(_tmp, "texts.jsonl");
        var r = EvalEnvironment.Rsgeo("embed", "--texts", texts, "--model", EvalEnvironment.TinyClip, "--out", jsonl);
        Assert.That(r.ExitCode, Is.Zero, r.ToString());
        var parsed = File.ReadAllLines(jsonl).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.That(parsed.Select(p => p.GetProperty("input").GetString()), Is.EqualTo(lines));
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.That(parsed[i].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()), Is.EqualTo(rows[i]));
            Assert.That(TensorPrimitives.Norm(rows[i]), Is.EqualTo(1f).Within(1e-5));
        }
        Assert.That(rows[3], Is.EqualTo(rows[1]));
        Assert.That(rows[0], Is.Not.EqualTo(rows[1]));
    }
}
