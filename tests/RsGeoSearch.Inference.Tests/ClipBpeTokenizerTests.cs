using System.Text.Json;
using RsGeoSearch.Inference.Text;

namespace RsGeoSearch.Inference.Tests;

public class ClipBpeTokenizerTests
{
    private static readonly Lazy<ClipBpeTokenizer> Tokenizer = new(() =>
        ClipBpeTokenizer.Load(Path.Combine(TestEnvironment.ClipBpeDirectory, "bpe_simple_vocab_16e6.txt.gz")));

    [Test]
    public void Reproduces_every_reference_line()
    {
        var lines = File.ReadAllLines(Path.Combine(TestEnvironment.ClipBpeDirectory, "reference-token-ids.jsonl"));
        Assert.That(lines, Has.Length.GreaterThan(300));
        var failures = new List<string>();
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var text = doc.RootElement.GetProperty("text").GetString()!;
            var expected = doc.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var actual = Tokenizer.Value.TokenIds(text);
            if (!actual.SequenceEqual(expected)) failures.Add($"{text}\n  expected {string.Join(",", expected)}\n  actual   {string.Join(",", actual)}");
        }
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(10)));
    }

    [Test]
    public void Vocabulary_and_special_ids_are_clips()
    {
        Assert.That(Tokenizer.Value.VocabularySize, Is.EqualTo(49408));
        Assert.That(Tokenizer.Value.StartId, Is.EqualTo(49406));
        Assert.That(Tokenizer.Value.EndId, Is.EqualTo(49407));
        Assert.That(Tokenizer.Value.PadId, Is.EqualTo(0));
        Assert.That(Tokenizer.Value.ContextLength, Is.EqualTo(77));
    }

    [Test]
    public void Pads_to_the_context_length_with_a_mask()
    {
        var e = Tokenizer.Value.Encode("a river");
        Assert.That(e.Ids, Has.Length.EqualTo(77));
        Assert.That(e.Ids.Take(4), Is.EqualTo(new long[] { 49406, 320, 2473, 49407 }));
        Assert.That(e.Ids.Skip(4), Is.All.EqualTo(0L));
        Assert.That(e.AttentionMask.Take(4), Is.All.EqualTo(1L));
        Assert.That(e.AttentionMask.Skip(4), Is.All.EqualTo(0L));
        Assert.That(e.Length, Is.EqualTo(4));
    }

    [Test]
    public void Truncates_keeping_the_end_token()
    {
        var text = string.Join(" ", Enumerable.Repeat("the quick brown fox jumps over the lazy dog", 12));
        var full = Tokenizer.Value.TokenIds(text);
        Assert.That(full.Length, Is.GreaterThan(77));
        var e = Tokenizer.Value.Encode(text);
        Assert.That(e.Ids, Has.Length.EqualTo(77));
        Assert.That(e.Ids[0], Is.EqualTo(49406));
        Assert.That(e.Ids[76], Is.EqualTo(49407));
        Assert.That(e.Ids.Take(76), Is.EqualTo(full.Take(76).Select(i => (long)i)));
        Assert.That(e.AttentionMask, Is.All.EqualTo(1L));
    }

    [Test]
    public void A_missing_or_corrupt_vocabulary_is_named()
    {
        var dir = TestEnvironment.NewTempDirectory("rsgeo-bpe");
        try
        {
            var bad = Path.Combine(dir, "bpe.txt.gz");
            File.WriteAllText(bad, "not gzip");
            Assert.That(Assert.Throws<RsGeoSearch.Core.InputException>(() => ClipBpeTokenizer.Load(bad))!.Message, Does.Contain("bpe.txt.gz"));
            Assert.That(Assert.Throws<RsGeoSearch.Core.InputException>(() => ClipBpeTokenizer.Load(Path.Combine(dir, "none.gz")))!.Message, Does.Contain("none.gz"));
        }
        finally { Directory.Delete(dir, true); }
    }
}
