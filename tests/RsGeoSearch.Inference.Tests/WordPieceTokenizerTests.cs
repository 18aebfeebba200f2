using System.Text.Json;
using RsGeoSearch.Inference.Text;

namespace RsGeoSearch.Inference.Tests;

public class WordPieceTokenizerTests
{
    private static string TrainDir => Path.Combine(TestEnvironment.RepositoryRoot, "models", "rsgeo-mini", "train");
    private static string Vocab => Path.Combine(TrainDir, "vocab.txt");

    [Test]
    public void Matches_the_python_reference_on_captions_and_unicode()
    {
        var script = Path.Combine(TrainDir, "tokenizer.py");
        if (!File.Exists(script) || !File.Exists(Vocab)) Assert.Ignore("models/rsgeo-mini/train/tokenizer.py or vocab.txt is not there yet");
        var texts = TokenizerTexts.All(400).Where(t => !t.Contains('\n')).ToArray();
        var output = TestEnvironment.Run(TestEnvironment.Python, [script, "encode", "--vocab", Vocab, "--context", "32"], string.Join("\n", texts) + "\n");
        var expected = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(expected, Has.Length.EqualTo(texts.Length));
        var tokenizer = WordPieceTokenizer.Load(Vocab, 32);
        var failures = new List<string>();
        for (var i = 0; i < texts.Length; i++)
        {
            var want = JsonSerializer.Deserialize<long[]>(expected[i])!;
            var got = tokenizer.Encode(texts[i]).Ids;
            if (!got.SequenceEqual(want)) failures.Add($"'{texts[i]}'\n  python {string.Join(",", want)}\n  C#     {string.Join(",", got)}");
        }
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(10)));
    }

    [Test]
    public void Splits_punctuation_strips_accents_and_truncates_with_sep()
    {
        var dir = TestEnvironment.NewTempDirectory("rsgeo-wp");
        try
        {
            var vocab = Path.Combine(dir, "vocab.txt");
            File.WriteAllLines(vocab, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "cafe", "air", "##port", ",", "!", "a"]);
            var t = WordPieceTokenizer.Load(vocab, 6);
            Assert.That(t.TokenIds("Café, AIRPORT!"), Is.EqualTo(new[] { 2, 4, 7, 5, 6, 8, 3 }));
            Assert.That(t.TokenIds("airx"), Is.EqualTo(new[] { 2, 1, 3 }));
            var e = t.Encode("Café, AIRPORT!");
            Assert.That(e.Ids, Is.EqualTo(new long[] { 2, 4, 7, 5, 6, 3 }));
            Assert.That(t.Encode("a").Ids, Is.EqualTo(new long[] { 2, 9, 3, 0, 0, 0 }));
            File.WriteAllLines(vocab, ["[UNK]", "[PAD]"]);
            Assert.Throws<RsGeoSearch.Core.InputException>(() => WordPieceTokenizer.Load(vocab, 6));
        }
        finally { Directory.Delete(dir, true); }
    }
}
