using System.Text.Json.Nodes;
using RsGeoSearch.Core;
using RsGeoSearch.Inference.Models;

namespace RsGeoSearch.Inference.Tests;

public class ModelDirectoryTests
{
    private static TinyClipFixture Tiny => TinyClipFixture.Instance;
    private string _root = null!;

    [SetUp]
    public void CreateRoot() => _root = TestEnvironment.NewTempDirectory("rsgeo-models");

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, true);

    private string Copy(string name = "tiny") => Tiny.CopyTo(_root, name);

    private static void EditManifest(string dir, Action<JsonObject> edit)
    {
        var path = Path.Combine(dir, "manifest.json");
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(node);
        File.WriteAllText(path, node.ToJsonString());
    }

    [Test]
    public void A_missing_folder_is_named()
    {
        var e = Assert.Throws<InputException>(() => Model.Load(Path.Combine(_root, "nope")));
        Assert.That(e!.Message, Does.Contain("nope"));
    }

    [Test]
    public void A_missing_manifest_is_named()
    {
        var dir = Copy();
        File.Delete(Path.Combine(dir, "manifest.json"));
        var e = Assert.Throws<InputException>(() => Model.Load(dir));
        Assert.That(e!.Message, Does.Contain(Path.Combine(dir, "manifest.json")));
    }

    [Test]
    public void Malformed_json_names_the_manifest()
    {
        var dir = Copy();
        File.WriteAllText(Path.Combine(dir, "manifest.json"), "{ \"name\": \"x\", ");
        var e = Assert.Throws<InputException>(() => Model.Load(dir));
        Assert.That(e!.Message, Does.Contain("manifest.json").And.Contain("not valid JSON"));
    }

    [TestCase("embedding_dim", "embedding_dim is missing")]
    [TestCase("image", "image is missing")]
    [TestCase("scoring", "scoring is missing")]
    public void A_missing_field_is_named(string field, string message)
    {
        var dir = Copy();
        EditManifest(dir, m => m.Remove(field));
        var e = Assert.Throws<InputException>(() => Model.Load(dir));
        Assert.That(e!.Message, Does.Contain("manifest.json").And.Contain(message));
    }

    [Test]
    public void Bad_values_are_named()
    {
        var dir = Copy();
        EditManifest(dir, m => m["family"] = "dalle");
        Assert.That(Assert.Throws<InputException>(() => Model.Load(dir))!.Message, Does.Contain("family 'dalle'"));
        EditManifest(dir, m => { m["family"] = "clip"; m["image"]!["resize"] = "stretch"; });
        Assert.That(Assert.Throws<InputException>(() => Model.Load(dir))!.Message, Does.Contain("image.resize 'stretch'"));
        EditManifest(dir, m => { m["image"]!["resize"] = "squash"; m["image"]!["mean"] = new JsonArray(0.5, 0.5); });
        Assert.That(Assert.Throws<InputException>(() => Model.Load(dir))!.Message, Does.Contain("image.mean must be three numbers"));
        EditManifest(dir, m => { m["image"]!["mean"] = new JsonArray(0.5, 0.5, 0.5); m["text"]!["tokenizer"]!["kind"] = "bytes"; });
        Assert.That(Assert.Throws<InputException>(() => Model.Load(dir))!.Message, Does.Contain("text.tokenizer.kind 'bytes'"));
    }

    [Test]
    public void Missing_onnx_files_say_not_exported_and_name_the_file()
    {
        var dir = Copy();
        File.Delete(Path.Combine(dir, "image.onnx"));
        var e = Assert.Throws<InputException>(() => Model.Load(dir));
        Assert.That(e!.Message, Does.Contain("not exported").And.Contain("image.onnx"));
    }

    [Test]
    public void A_missing_tokenizer_file_is_named()
    {
        var dir = Copy();
        File.Delete(Path.Combine(dir, "bpe_simple_vocab_16e6.txt.gz"));
        var e = Assert.Throws<InputException>(() => Model.Load(dir));
        Assert.That(e!.Message, Does.Contain("bpe_simple_vocab_16e6.txt.gz").And.Contain("text.tokenizer.files.bpe"));
    }

    [Test]
    public void A_corrupt_onnx_file_is_named_when_the_encoder_is_created()
    {
        var dir = Copy();
        File.WriteAllText(Path.Combine(dir, "text.onnx"), "garbage");
        using var model = Model.Load(dir);
        var e = Assert.Catch<Exception>(() => _ = model.Texts);
        Assert.That(e!.Message, Does.Contain("text.onnx"));
    }

    [Test]
    public void Graph_names_that_disagree_with_the_manifest_are_named()
    {
        var dir = Copy();
        EditManifest(dir, m => m["image"]!["input"] = "images");
        using var model = Model.Load(dir);
        var e = Assert.Throws<InputException>(() => _ = model.Images);
        Assert.That(e!.Message, Does.Contain("'images'").And.Contain("pixel_values"));

        EditManifest(dir, m => { m["image"]!["input"] = "pixel_values"; m["embedding_dim"] = 32; });
        using var model2 = Model.Load(dir);
        Assert.That(Assert.Throws<InputException>(() => _ = model2.Images)!.Message, Does.Contain("embedding_dim"));
    }

    [Test]
    public void The_registry_resolves_names_and_folders_and_lists_status()
    {
        Copy("tiny");
        var notExported = Copy("half");
        File.Delete(Path.Combine(notExported, "image.onnx"));
        File.Delete(Path.Combine(notExported, "text.onnx"));
        EditManifest(notExported, m => m["name"] = "half");
        var broken = Directory.CreateDirectory(Path.Combine(_root, "broken")).FullName;
        File.WriteAllText(Path.Combine(broken, "manifest.json"), "[]");
        Directory.CreateDirectory(Path.Combine(_root, "not-a-model"));
        var second = TestEnvironment.NewTempDirectory("rsgeo-models2");
        try
        {
            Tiny.CopyTo(second, "tiny");
            var registry = new ModelRegistry([new ModelSearchRoot(_root, "test"), new ModelSearchRoot(second, "second")]);

            Assert.That(registry.Resolve("tiny"), Is.EqualTo(Path.Combine(_root, "tiny")));
            Assert.That(registry.Resolve("tiny-clip"), Is.EqualTo(Path.Combine(_root, "tiny")), "by manifest name");
            Assert.That(registry.Resolve(Path.Combine(second, "tiny")), Is.EqualTo(Path.Combine(second, "tiny")), "by folder");
            var e = Assert.Throws<InputException>(() => registry.Resolve("nonexistent"));
            Assert.That(e!.Message, Does.Contain("tiny-clip").And.Contain(_root));
            Assert.Throws<InputException>(() => registry.Resolve(Path.Combine(_root, "not-a-model")));

            var list = registry.List();
            Assert.That(list.Select(m => (m.Name, m.Status, m.Source, m.Shadowed)), Is.EqualTo(new[]
            {
                ("broken", ModelStatus.Invalid, "test", false),
                ("half", ModelStatus.NotExported, "test", false),
                ("tiny-clip", ModelStatus.Ready, "test", false),
                ("tiny-clip", ModelStatus.Ready, "second", true),
            }));
            Assert.That(list[2].Family, Is.EqualTo(ModelFamily.Clip));
            Assert.That(list[2].EmbeddingDim, Is.EqualTo(16));
            Assert.That(list[0].Problem, Does.Contain("manifest.json"));
            Assert.That(list[1].Problem, Does.Contain("missing").And.Contain("image.onnx"));

            using var model = registry.Load("tiny");
            Assert.That(model.EncodeText("a beach").Length, Is.EqualTo(16));
        }
        finally { Directory.Delete(second, true); }
    }

    [Test]
    public void The_project_models_folder_lists_without_crashing()
    {
        var project = Path.Combine(TestEnvironment.RepositoryRoot, "models");
        var registry = new ModelRegistry([new ModelSearchRoot(project, "project")]);
        var list = registry.List();
        foreach (var name in new[] { "git-rsclip", "clip-vit-b32" })
        {
            var entry = list.Single(m => Path.GetFileName(m.Directory) == name);
            Assert.That(entry.Status, Is.EqualTo(ModelStatus.NotExported), entry.Problem);
            Assert.That(entry.Family, Is.Not.Null);
        }
        var git = list.Single(m => Path.GetFileName(m.Directory) == "git-rsclip");
        Assert.That(git.Family, Is.EqualTo(ModelFamily.Siglip));
        Assert.That(git.Preprocessing!.Size, Is.EqualTo(256));
        Assert.That(git.Preprocessing.Resize, Is.EqualTo(ResizeMode.Squash));
        Assert.That(git.Preprocessing.Mean, Is.EqualTo(new[] { 0.5f, 0.5f, 0.5f }));
        var clip = list.Single(m => Path.GetFileName(m.Directory) == "clip-vit-b32");
        Assert.That(clip.Preprocessing!.Resize, Is.EqualTo(ResizeMode.ShortestSideCenterCrop));
        Assert.That(clip.Preprocessing.Interpolation, Is.EqualTo(Interpolation.Bicubic));
        var e = Assert.Throws<InputException>(() => registry.Load("git-rsclip"));
        Assert.That(e!.Message, Does.Contain("not exported"));
    }
}
