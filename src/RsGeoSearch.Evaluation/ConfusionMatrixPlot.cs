using System.Globalization;
using RsGeoSearch.Core;
using RsGeoSearch.Raster;

namespace RsGeoSearch.Evaluation;

/// <summary>
/// A confusion-matrix heat map drawn pixel by pixel: rows are true classes, columns predicted classes, each cell
/// coloured (viridis) by its share of the row (so the diagonal is per-class accuracy) with its count written in it
/// when it fits; class index ticks on both axes (their names are in the CSV legend), a 0–100 % colour bar on the right.
/// </summary>
public static class ConfusionMatrixPlot
{
    private static readonly Dictionary<char, string[]> Glyphs = new()
    {
        ['0'] = ["###", "#.#", "#.#", "#.#", "###"], ['1'] = [".#.", "##.", ".#.", ".#.", "###"],
        ['2'] = ["###", "..#", "###", "#..", "###"], ['3'] = ["###", "..#", "###", "..#", "###"],
        ['4'] = ["#.#", "#.#", "###", "..#", "..#"], ['5'] = ["###", "#..", "###", "..#", "###"],
        ['6'] = ["###", "#..", "###", "#.#", "###"], ['7'] = ["###", "..#", ".#.", ".#.", ".#."],
        ['8'] = ["###", "#.#", "###", "#.#", "###"], ['9'] = ["###", "#.#", "###", "..#", "###"],
        ['%'] = ["#.#", "..#", ".#.", "#..", "#.#"],
        ['P'] = ["##.", "#.#", "##.", "#..", "#.."], ['R'] = ["##.", "#.#", "##.", "#.#", "#.#"],
        ['E'] = ["###", "#..", "##.", "#..", "###"], ['D'] = ["##.", "#.#", "#.#", "#.#", "##."],
        ['I'] = ["###", ".#.", ".#.", ".#.", "###"], ['C'] = ["###", "#..", "#..", "#..", "###"],
        ['T'] = ["###", ".#.", ".#.", ".#.", ".#."], ['U'] = ["#.#", "#.#", "#.#", "#.#", "###"],
    };

    private static readonly (float R, float G, float B)[] Viridis =
    [
        (0.267f, 0.005f, 0.329f), (0.283f, 0.141f, 0.458f), (0.254f, 0.265f, 0.530f), (0.207f, 0.372f, 0.553f),
        (0.164f, 0.471f, 0.558f), (0.128f, 0.567f, 0.551f), (0.135f, 0.659f, 0.518f), (0.267f, 0.749f, 0.441f),
        (0.478f, 0.821f, 0.318f), (0.741f, 0.873f, 0.150f), (0.993f, 0.906f, 0.144f),
    ];

    /// <summary>The colour of a share in [0, 1].</summary>
    public static (float R, float G, float B) Color(double share)
    {
        var x = Math.Clamp(share, 0, 1) * (Viridis.Length - 1);
        var i = Math.Min((int)x, Viridis.Length - 2);
        var t = (float)(x - i);
        var (a, b) = (Viridis[i], Viridis[i + 1]);
        return (a.R + (b.R - a.R) * t, a.G + (b.G - a.G) * t, a.B + (b.B - a.B) * t);
    }

    /// <summary>The size in pixels of one cell for <paramref name="classes"/> classes.</summary>
    public static int CellSize(int classes) => Math.Clamp(640 / Math.Max(1, classes), 12, 48);

    /// <summary>Renders the plot; <see cref="Layout"/> tells where cell (row, column) lies.</summary>
    public static ChipImage Render(IReadOnlyList<int[]> confusion)
    {
        var layout = Layout(confusion);
        var canvas = new Canvas(layout.Width, layout.Height);
        var n = confusion.Count;
        var cell = layout.Cell;
        var tickScale = cell >= 28 ? 2 : 1;
        var maxCount = confusion.SelectMany(r => r).DefaultIfEmpty(0).Max();
        var countScale = Enumerable.Range(1, 3).Reverse().FirstOrDefault(s => TextWidth(maxCount.ToString(CultureInfo.InvariantCulture), s) <= cell - 4 && 5 * s <= cell - 4);

        for (var r = 0; r < n; r++)
        {
            var total = confusion[r].Sum();
            for (var c = 0; c < n; c++)
            {
                var (x, y) = (layout.Left + c * cell, layout.Top + r * cell);
                var share = total == 0 ? double.NaN : (double)confusion[r][c] / total;
                var color = double.IsNaN(share) ? (0.85f, 0.85f, 0.85f) : Color(share);
                canvas.Fill(x, y, cell, cell, color);
                if (r == c) canvas.Frame(x, y, cell, cell, (1f, 1f, 1f));
                if (countScale > 0 && confusion[r][c] > 0)
                {
                    var text = confusion[r][c].ToString(CultureInfo.InvariantCulture);
                    var ink = color.Item1 * 0.3f + color.Item2 * 0.59f + color.Item3 * 0.11f > 0.5f ? (0f, 0f, 0f) : (1f, 1f, 1f);
                    canvas.Text(text, x + (cell - TextWidth(text, countScale)) / 2, y + (cell - 5 * countScale) / 2, countScale, ink);
                }
            }
            // row tick (true class index), right-aligned left of the matrix; column tick above
            var label = r.ToString(CultureInfo.InvariantCulture);
            canvas.Text(label, layout.Left - 4 - TextWidth(label, tickScale), layout.Top + r * cell + (cell - 5 * tickScale) / 2, tickScale, (0f, 0f, 0f));
            canvas.Text(label, layout.Left + r * cell + (cell - TextWidth(label, tickScale)) / 2, layout.Top - 4 - 5 * tickScale, tickScale, (0f, 0f, 0f));
        }
        // axis titles: PREDICTED above the column ticks, TRUE written downwards left of the row ticks
        var titleScale = 2;
        canvas.Text("PREDICTED", layout.Left + (n * cell - TextWidth("PREDICTED", titleScale)) / 2, 6, titleScale, (0f, 0f, 0f));
        var trueTop = layout.Top + (n * cell - 4 * 6 * titleScale) / 2;
        for (var k = 0; k < 4; k++) canvas.Text("TRUE"[k].ToString(), 6, trueTop + k * 6 * titleScale, titleScale, (0f, 0f, 0f));

        // colour bar: 100 % at the top, 0 % at the bottom
        var barX = layout.Left + n * cell + 16;
        var barH = n * cell;
        for (var y = 0; y < barH; y++) canvas.Fill(barX, layout.Top + y, 14, 1, Color(1 - (double)y / Math.Max(1, barH - 1)));
        canvas.Text("100%", barX + 18, layout.Top, 1, (0f, 0f, 0f));
        canvas.Text("0%", barX + 18, layout.Top + barH - 5, 1, (0f, 0f, 0f));
        return canvas.ToImage();
    }

    /// <summary>Where the matrix lies in the image: its left and top edges, the cell size, and the image size.</summary>
    public static (int Left, int Top, int Cell, int Width, int Height) Layout(IReadOnlyList<int[]> confusion)
    {
        ArgumentNullException.ThrowIfNull(confusion);
        var n = confusion.Count;
        if (n == 0) throw new ArgumentException("the confusion matrix is empty", nameof(confusion));
        if (confusion.Any(r => r.Length != n)) throw new ArgumentException("the confusion matrix is not square", nameof(confusion));
        var cell = CellSize(n);
        var tickScale = cell >= 28 ? 2 : 1;
        var tickWidth = TextWidth((n - 1).ToString(CultureInfo.InvariantCulture), tickScale);
        var left = 6 + 3 * 2 + 8 + tickWidth + 4;
        var top = 6 + 5 * 2 + 8 + 5 * tickScale + 4;
        var width = left + n * cell + 16 + 14 + 18 + TextWidth("100%", 1) + 8;
        var height = top + n * cell + 10;
        return (left, top, cell, width, height);
    }

    /// <summary>The plot as PNG bytes.</summary>
    public static byte[] Png(IReadOnlyList<int[]> confusion) => Thumbnailer.Encode(Render(confusion), ImageFormat.Png);

    private static int TextWidth(string text, int scale) => text.Length == 0 ? 0 : (text.Length * 4 - 1) * scale;

    private sealed class Canvas(int width, int height)
    {
        private readonly float[] _chw = Enumerable.Repeat(1f, 3 * width * height).ToArray();

        public void Fill(int x, int y, int w, int h, (float R, float G, float B) color)
        {
            for (var yy = Math.Max(0, y); yy < Math.Min(height, y + h); yy++)
            for (var xx = Math.Max(0, x); xx < Math.Min(width, x + w); xx++)
            {
                var i = yy * width + xx;
                _chw[i] = color.R;
                _chw[width * height + i] = color.G;
                _chw[2 * width * height + i] = color.B;
            }
        }

        public void Frame(int x, int y, int w, int h, (float, float, float) color)
        {
            Fill(x, y, w, 1, color);
            Fill(x, y + h - 1, w, 1, color);
            Fill(x, y, 1, h, color);
            Fill(x + w - 1, y, 1, h, color);
        }

        public void Text(string text, int x, int y, int scale, (float, float, float) color)
        {
            foreach (var ch in text)
            {
                if (Glyphs.TryGetValue(ch, out var rows))
                    for (var r = 0; r < 5; r++)
                    for (var c = 0; c < 3; c++)
                        if (rows[r][c] == '#') Fill(x + c * scale, y + r * scale, scale, scale, color);
                x += 4 * scale;
            }
        }

        public ChipImage ToImage() => new(_chw, width, height);
    }
}
