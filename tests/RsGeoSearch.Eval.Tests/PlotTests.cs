using RsGeoSearch.Evaluation;
using RsGeoSearch.Raster;

namespace RsGeoSearch.Eval.Tests;

/// <summary>The confusion-matrix heat map: cell colours follow the row shares, and the PNG decodes to the same pixels.</summary>
public class PlotTests
{
    private static (float R, float G, float B) Pixel(RsGeoSearch.Core.ChipImage image, int x, int y)
    {
        var plane = image.Width * image.Height;
        var i = y * image.Width + x;
        return (image.Chw[i], image.Chw[plane + i], image.Chw[2 * plane + i]);
    }

    [Test]
    public void Cells_are_coloured_by_their_share_of_the_row()
    {
        int[][] confusion = [[3, 1, 0], [0, 0, 0], [2, 0, 2]];
        var image = ConfusionMatrixPlot.Render(confusion);
        var (left, top, cell, width, height) = ConfusionMatrixPlot.Layout(confusion);
        Assert.That((image.Width, image.Height), Is.EqualTo((width, height)));
        Assert.That(left + 3 * cell, Is.LessThan(width));
        // sample a cell corner just inside the frame, away from the count digits
        (float, float, float) At(int r, int c) => Pixel(image, left + c * cell + 2, top + r * cell + 2);
        Assert.Multiple(() =>
        {
            Assert.That(At(0, 0), Is.EqualTo(ConfusionMatrixPlot.Color(0.75)));
            Assert.That(At(0, 1), Is.EqualTo(ConfusionMatrixPlot.Color(0.25)));
            Assert.That(At(0, 2), Is.EqualTo(ConfusionMatrixPlot.Color(0)));
            Assert.That(At(2, 0), Is.EqualTo(ConfusionMatrixPlot.Color(0.5)));
            Assert.That(At(1, 1), Is.EqualTo((0.85f, 0.85f, 0.85f)), "a class without images is grey");
            Assert.That(Pixel(image, 0, height - 1), Is.EqualTo((1f, 1f, 1f)), "white background");
        });
        Assert.That(ConfusionMatrixPlot.Color(1).B, Is.LessThan(ConfusionMatrixPlot.Color(1).G), "100 % is yellow-green");
    }

    [Test]
    public void Png_decodes_to_the_rendered_size_and_colours()
    {
        var confusion = Enumerable.Range(0, 30).Select(r => Enumerable.Range(0, 30).Select(c => r == c ? 9 : c == (r + 1) % 30 ? 1 : 0).ToArray()).ToArray();
        var rendered = ConfusionMatrixPlot.Render(confusion);
        var png = ConfusionMatrixPlot.Png(confusion);
        Assert.That(png.AsSpan(1, 3).ToArray(), Is.EqualTo("PNG"u8.ToArray()));
        var decoded = ImageReader.Read(png, "plot.png", rendered.Width, rendered.Height);
        var (left, top, cell, _, _) = ConfusionMatrixPlot.Layout(confusion);
        var (r, g, b) = Pixel(decoded, left + 5 * cell + 2, top + 5 * cell + 2);
        var expected = ConfusionMatrixPlot.Color(0.9);
        Assert.That(r, Is.EqualTo(expected.R).Within(1 / 255.0 + 1e-6));
        Assert.That(g, Is.EqualTo(expected.G).Within(1 / 255.0 + 1e-6));
        Assert.That(b, Is.EqualTo(expected.B).Within(1 / 255.0 + 1e-6));
    }
}
