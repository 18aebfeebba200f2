using System.Text;
using System.Text.Json;
using RsGeoSearch.Inference.Text;

namespace RsGeoSearch.Inference.Tests;

/// <summary>Compares the C# unigram tokenizer with Debian's sentencepiece tools on a model trained here.</summary>
public class SentencePieceTokenizerTests
{
    private string _dir = null!;
    private string _model = null!;

    [OneTimeSetUp]
    public void Train()
    {
        _dir = TestEnvironment.NewTempDirectory("rsgeo-spm");
        var corpus = Path.Combine(_dir, "corpus.txt");
        // A few thousand captions plus the special texts (so most of their characters are in the vocabulary).
        File.WriteAllLines(corpus, TokenizerTexts.Captions(8000, offset: 3).Concat(TokenizerTexts.Special), new UTF8Encoding(false));
        TestEnvironment.Run("spm_train", [$"--input={corpus}", $"--model_prefix={Path.Combine(_dir, "sp")}", "--vocab_size=2000", "--hard_vocab_limit=false",
            "--model_type=unigram", "--character_coverage=0.9995", "--num_threads=1", "--minloglevel=2"]);
        _model = Path.Combine(_dir, "sp.model");
    }

    [OneTimeTearDown]
    public void Delete() => Directory.Delete(_dir, true);

    private string[] SpmEncode(IEnumerable<string> texts) =>
        TestEnvironment.Run("spm_encode", [$"--model={_model}", "--output_format=id"], string.Join("\n", texts) + "\n")
            .Split('\n').SkipLast(1).ToArray();

    [Test]
    public void Matches_spm_encode_on_captions_unicode_digits_and_punctuation()
    {
        var texts = TokenizerTexts.All(350).Where(t => !t.Contains('\n')).ToArray();
        var expected = SpmEncode(texts);
        Assert.That(expected, Has.Length.EqualTo(texts.Length));
        var tokenizer = SentencePieceTokenizer.Load(_model, 64);
        var failures = new List<string>();
        for (var i = 0; i < texts.Length; i++)
        {
            var want = expected[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            var got = tokenizer.PieceIds(texts[i]).ToArray();
            if (!got.SequenceEqual(want))
                failures.Add($"'{texts[i]}' (normalised '{tokenizer.Normalized(texts[i])}')\n  spm {string.Join(",", want)}\n  C#  {string.Join(",", got)}");
        }
        Assert.That(failures, Is.Empty, $"{failures.Count} of {texts.Length} differ:\n" + string.Join("\n", failures.Take(10)));
    }

    [TestCase("nmt_nfkc_cf", false)]
    [TestCase("identity", false)]
    [TestCase("nfkc", true)]
    public void Matches_spm_encode_with_other_normalisers_and_byte_fallback(string rule, bool byteFallback)
    {
        var prefix = Path.Combine(_dir, $"sp-{rule}-{byteFallback}");
        TestEnvironment.Run("spm_train", [$"--input={Path.Combine(_dir, "corpus.txt")}", $"--model_prefix={prefix}", "--vocab_size=1000",
            "--hard_vocab_limit=false", "--model_type=unigram", $"--normalization_rule_name={rule}", $"--byte_fallback={(byteFallback ? "true" : "false")}",
            "--character_coverage=0.995", "--num_threads=1", "--minloglevel=2"]);
        var model = prefix + ".model";
        var texts = TokenizerTexts.All(100).Where(t => !t.Contains('\n')).ToArray();
        var expected = TestEnvironment.Run("spm_encode", [$"--model={model}", "--output_format=id"], string.Join("\n", texts) + "\n")
            .Split('\n').SkipLast(1).ToArray();
        Assert.That(expected, Has.Length.EqualTo(texts.Length));
        var tokenizer = SentencePieceTokenizer.Load(model, 64);
        var failures = new List<string>();
        for (var i = 0; i < texts.Length; i++)
        {
            var want = expected[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            var got = tokenizer.PieceIds(texts[i]).ToArray();
            if (!got.SequenceEqual(want)) failures.Add($"'{texts[i]}'\n  spm {string.Join(",", want)}\n  C#  {string.Join(",", got)}");
        }
        Assert.That(failures, Is.Empty, $"{failures.Count} of {texts.Length} differ:\n" + string.Join("\n", failures.Take(10)));
    }

    [Test]
    public void Appends_eos_and_pads_to_the_context_length()
    {
        var tokenizer = SentencePieceTokenizer.Load(_model, 16);
        Assert.That(tokenizer.EndId, Is.EqualTo(tokenizer.PieceId("</s>")));
        Assert.That(tokenizer.PadId, Is.EqualTo(tokenizer.EndId), "no <pad> piece: pads with </s> as SigLIP does");
        var ids = tokenizer.TokenIds("many planes");
        Assert.That(ids[^1], Is.EqualTo(tokenizer.EndId));
        var e = tokenizer.Encode("many planes");
        Assert.That(e.Ids.Take(ids.Length), Is.EqualTo(ids.Select(i => (long)i)));
        Assert.That(e.Ids.Skip(ids.Length), Is.All.EqualTo((long)tokenizer.PadId));
        var longText = string.Join(" ", Enumerable.Repeat("many planes are parked next to a long building", 5));
        var t = tokenizer.Encode(longText);
        Assert.That(t.Ids, Has.Length.EqualTo(16));
        Assert.That(t.Ids[15], Is.EqualTo((long)tokenizer.EndId));
    }

    [Test]
    public void Siglip_canonicalisation_lowercases_and_drops_punctuation()
    {
        Assert.That(SentencePieceTokenizer.Canonicalize("  A Photo, of THE Airport!!  (big) "), Is.EqualTo("a photo of the airport big"));
        var siglip = SentencePieceTokenizer.Load(_model, 64, sigLipCanonicalize: true);
        var plain = SentencePieceTokenizer.Load(_model, 64);
        Assert.That(siglip.TokenIds("Many PLANES, parked."), Is.EqualTo(plain.TokenIds("many planes parked")));
    }

    [Test]
    public void Tokenizer_json_with_the_same_vocabulary_and_charsmap_gives_the_same_ids()
    {
        var model = SentencePieceModel.FromProto(_model);
        var json = new
        {
            normalizer = new { type = "Sequence", normalizers = new object[] { new { type = "Precompiled", precompiled_charsmap = Convert.ToBase64String(model.PrecompiledCharsMap!) } } },
            pre_tokenizer = new { type = "Metaspace", replacement = "\u2581", add_prefix_space = true },
            model = new
            {
                type = "Unigram",
                unk_id = Array.IndexOf(model.Types, SentencePieceModel.PieceType.Unknown),
                vocab = model.Pieces.Select((p, i) => new object[] { p, model.Scores[i] }).ToArray(),
            },
            added_tokens = model.Pieces.Select((p, i) => (p, i)).Where(x => model.Types[x.i] == SentencePieceModel.PieceType.Control)
                .Select(x => new { id = x.i, content = x.p, special = true }).ToArray(),
        };
        var path = Path.Combine(_dir, "tokenizer.json");
        File.WriteAllText(path, JsonSerializer.Serialize(json));
        var fromJson = SentencePieceTokenizer.Load(path, 64);
        var fromProto = SentencePieceTokenizer.Load(_model, 64);
        foreach (var text in TokenizerTexts.All(50))
            Assert.That(fromJson.TokenIds(text), Is.EqualTo(fromProto.TokenIds(text)), text);
    }

    [Test]
    public void A_corrupt_model_file_is_named()
    {
        var bad = Path.Combine(_dir, "bad.model");
        File.WriteAllBytes(bad, [0xFF, 0xFF, 0xFF]);
        var e = Assert.Throws<RsGeoSearch.Core.InputException>(() => SentencePieceTokenizer.Load(bad, 64));
        Assert.That(e!.Message, Does.Contain("bad.model"));
    }
}
