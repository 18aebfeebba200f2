using RsGeoSearch.Core;
using RsGeoSearch.Evaluation;

namespace RsGeoSearch.Eval.Tests;

/// <summary>Reading the labelled folder, the captions TSV and the labels/subset files, and their error messages.</summary>
public class InputTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = EvalEnvironment.NewTempDirectory("rsgeo-eval-input");

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, true);

    private string Touch(params string[] parts)
    {
        var path = Path.Combine([_dir, .. parts]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1, 2, 3]);
        return path;
    }

    [Test]
    public void Labelled_folder_lists_classes_in_order_with_labels_and_images_recursively()
    {
        Touch("StorageTanks", "b.jpg");
        Touch("StorageTanks", "deeper", "a.png");
        Touch("BareLand", "x.tif");
        Touch("BareLand", "notes.txt");
        Directory.CreateDirectory(Path.Combine(_dir, "Empty"));
        var data = LabelledImageFolder.Load(_dir);
        Assert.That(data.Classes, Is.EqualTo(new[]
        {
            new EvalClass(0, "BareLand", "bare land"), new EvalClass(1, "Empty", "empty"), new EvalClass(2, "StorageTanks", "storage tanks"),
        }));
        Assert.That(data.Images.Select(i => (Path.GetFileName(i.Path), i.ClassIndex)),
            Is.EqualTo(new[] { ("x.tif", 0), ("b.jpg", 2), ("a.png", 2) }));
    }

    [Test]
    public void Labels_file_and_subset_apply()
    {
        Touch("StorageTanks", "b.jpg");
        Touch("StorageTanks", "c.jpg");
        Touch("BareLand", "x.tif");
        var labels = Path.Combine(_dir, "labels.txt");
        File.WriteAllText(labels, "# comment\nStorageTanks\toil tanks\n\nBareLand=bare soil\n");
        var subset = Path.Combine(_dir, "subset.txt");
        File.WriteAllText(subset, "c.jpg\nsomewhere/x.tif\n");
        var data = LabelledImageFolder.Load(_dir, ClassNames.ReadLabelsFile(labels), ImageSubset.Read(subset));
        Assert.That(data.Classes.Select(c => c.Label), Is.EqualTo(new[] { "bare soil", "oil tanks" }));
        Assert.That(data.Images.Select(i => Path.GetFileName(i.Path)), Is.EqualTo(new[] { "x.tif", "c.jpg" }));
        File.WriteAllText(labels, "Stadium\tstadium\n");
        var e = Assert.Throws<InputException>(() => LabelledImageFolder.Load(_dir, ClassNames.ReadLabelsFile(labels)))!;
        Assert.That(e.Message, Does.Contain("'Stadium'").And.Contain("not a sub-folder"));
    }

    [Test]
    public void Empty_folders_are_clear_errors()
    {
        var e = Assert.Throws<InputException>(() => LabelledImageFolder.Load(_dir))!;
        Assert.That(e.Message, Does.Contain("no class sub-folders"));
        Directory.CreateDirectory(Path.Combine(_dir, "A"));
        Directory.CreateDirectory(Path.Combine(_dir, "B"));
        e = Assert.Throws<InputException>(() => LabelledImageFolder.Load(_dir))!;
        Assert.That(e.Message, Does.Contain("hold no images"));
        e = Assert.Throws<InputException>(() => LabelledImageFolder.Load(Path.Combine(_dir, "missing")))!;
        Assert.That(e.Message, Does.Contain("no such folder"));
    }

    [Test]
    public void Captions_are_read_by_column_name_and_images_found_anywhere_under_the_folder()
    {
        Touch("Airport", "a1.jpg");
        Touch("Beach", "sub", "b1.jpg");
        var tsv = EvalEnvironment.WriteTsv(Path.Combine(_dir, "c.tsv"), "caption\tclass\timage",
            ["planes at a terminal\tairport\ta1.jpg", "waves on sand\tbeach\tb1.jpg", "a runway\tairport\ta1.jpg", "", "a runway\tairport\ta1.jpg"]);
        var set = CaptionSet.Load(tsv, _dir);
        Assert.That(set.Images.Select(Path.GetFileName), Is.EqualTo(new[] { "a1.jpg", "b1.jpg" }));
        Assert.That(set.Images[1], Does.EndWith(Path.Combine("Beach", "sub", "b1.jpg")));
        Assert.That(set.Captions, Is.EqualTo(new[] { "planes at a terminal", "waves on sand", "a runway", "a runway" }));
        Assert.That(set.Owners, Is.EqualTo(new[] { 0, 1, 0, 0 }));
        var without = set.Without(new HashSet<int> { 0 });
        Assert.That(without.Captions, Is.EqualTo(new[] { "waves on sand" }));
        Assert.That(without.Owners, Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void Captions_naming_missing_images_say_which_and_how_many()
    {
        Touch("Airport", "a1.jpg");
        Touch("Beach", "b1.jpg");
        var tsv = EvalEnvironment.WriteTsv(Path.Combine(_dir, "c.tsv"), "image\tcaption",
            ["a1.jpg\tplanes", "gone_1.jpg\tx", "b1.jpg\twaves", "gone_2.jpg\ty", "gone_1.jpg\tz"]);
        var e = Assert.Throws<InputException>(() => CaptionSet.Load(tsv, _dir))!;
        Assert.That(e.Message, Does.Contain("2 of the 4 images").And.Contain("gone_1.jpg").And.Contain("gone_2.jpg"));
    }

    [Test]
    public void Captions_without_the_columns_or_with_ambiguous_names_are_errors()
    {
        Touch("Airport", "a1.jpg");
        Touch("Beach", "a1.jpg");
        Touch("Beach", "b1.jpg");
        var tsv = EvalEnvironment.WriteTsv(Path.Combine(_dir, "c.tsv"), "file\ttext", ["a1.jpg\tplanes"]);
        var e = Assert.Throws<InputException>(() => CaptionSet.Load(tsv, _dir))!;
        Assert.That(e.Message, Does.Contain("columns 'image' and 'caption'").And.Contain("'file'"));
        tsv = EvalEnvironment.WriteTsv(Path.Combine(_dir, "c.tsv"), "image\tcaption", ["a1.jpg\tplanes", "b1.jpg\twaves"]);
        e = Assert.Throws<InputException>(() => CaptionSet.Load(tsv, _dir))!;
        Assert.That(e.Message, Does.Contain("more than once").And.Contain("a1.jpg"));
        // a path relative to the folder resolves the ambiguity
        tsv = EvalEnvironment.WriteTsv(Path.Combine(_dir, "c.tsv"), "image\tcaption", ["Beach/a1.jpg\tsand", "b1.jpg\twaves"]);
        Assert.That(CaptionSet.Load(tsv, _dir).Images[0], Does.EndWith(Path.Combine("Beach", "a1.jpg")));
        File.WriteAllText(tsv, "");
        e = Assert.Throws<InputException>(() => CaptionSet.Load(tsv, _dir))!;
        Assert.That(e.Message, Does.Contain("empty"));
    }
}
