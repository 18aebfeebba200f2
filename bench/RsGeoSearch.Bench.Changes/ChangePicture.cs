using System.Globalization;
using RsGeoSearch.Core;
using RsGeoSearch.Raster;

namespace RsGeoSearch.Bench.Changes;

/// <summary>
/// A contact sheet of changes, one row each: before thumbnail | after thumbnail | score (digits and a bar), with
/// the dates of the two chips under the thumbnails in digits. Rendered with GDAL (Thumbnailer) and encoded as PNG.
/// </summary>
public static class ChangePicture
{
    private const int Thumb = 160, Gap = 8, Panel = 200, Text = 3; // text: 3x5 glyphs scaled by 3

    public static byte[] Render(IReadOnlyList<ChangeRecord> changes)
    {
        var rowHeight = Thumb + 5 * Text + 3 * Gap;
        var width = 2 * Thumb + Panel + 4 * Gap;
        var height = Math.Max(1, changes.Count) * rowHeight + Gap;
        var canvas = new float[3 * width * height];
        Array.Fill(canvas, 1f);
        var max = changes.Count == 0 ? 1 : changes.Max(c => c.Score);
        for (var i = 0; i < changes.Count; i++)
        {
            var c = changes[i];
            var y = Gap + i * rowHeight;
            Blit(canvas, width, height, Load(c.Before), Gap, y);
            Blit(canvas, width, height, Load(c.After), 2 * Gap + Thumb, y);
            DrawText(canvas, width, height, Date(c.Before.AcquiredAt), Gap, y + Thumb + Gap, (0.1f, 0.1f, 0.1f));
            DrawText(canvas, width, height, Date(c.After.AcquiredAt), 2 * Gap + Thumb, y + Thumb + Gap, (0.1f, 0.1f, 0.1f));
            var x = 3 * Gap + 2 * Thumb;
            DrawText(canvas, width, height, c.Score.ToString("0.000", CultureInfo.InvariantCulture), x, y + Thumb / 2 - 20, (0.7f, 0.05f, 0.05f));
            var bar = (int)Math.Round((Panel - Gap) * Math.Clamp(c.Score / max, 0, 1));
            Fill(canvas, width, height, x, y + Thumb / 2 + 4, bar, 16, (0.85f, 0.2f, 0.1f));
        }
        return Thumbnailer.Encode(new ChipImage(canvas, width, height));
    }

    private static string Date(DateTimeOffset? t) => t?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    /// <summary>The chip's thumbnail (GDAL render of its window, stretched as the catalogue shows it) as CHW floats.</summary>
    private static (float[] Chw, int W, int H) Load(ChipRecord chip)
    {
        using var source = RasterDataset.Open(chip.SceneUri);
        var png = Thumbnailer.Render(source, chip.Window, Thumb);
        using var image = RasterDataset.Open(png, $"chip-{chip.Id}.png");
        var bands = image.BandCount >= 3 ? new[] { 1, 2, 3 } : new[] { 1, 1, 1 };
        // Scaled to the thumbnail size (small chips up, nearest neighbour, so pixels stay visible).
        var (w, h) = image.Width >= image.Height ? (Thumb, Math.Max(1, Thumb * image.Height / image.Width)) : (Math.Max(1, Thumb * image.Width / image.Height), Thumb);
        var pixels = image.ReadPixels(new PixelWindow(0, 0, image.Width, image.Height), bands, w, h, Resampling.Nearest);
        for (var k = 0; k < pixels.Length; k++) pixels[k] /= 255f;
        return (pixels, w, h);
    }

    private static void Blit(float[] canvas, int cw, int ch, (float[] Chw, int W, int H) img, int x0, int y0)
    {
        for (var b = 0; b < 3; b++)
        for (var y = 0; y < img.H && y0 + y < ch; y++)
        for (var x = 0; x < img.W && x0 + x < cw; x++)
            canvas[b * cw * ch + (y0 + y) * cw + x0 + x] = img.Chw[b * img.W * img.H + y * img.W + x];
    }

    private static void Fill(float[] canvas, int cw, int ch, int x0, int y0, int w, int h, (float R, float G, float B) c)
    {
        for (var y = y0; y < y0 + h && y < ch; y++)
        for (var x = x0; x < x0 + w && x < cw; x++)
        {
            canvas[y * cw + x] = c.R;
            canvas[cw * ch + y * cw + x] = c.G;
            canvas[2 * cw * ch + y * cw + x] = c.B;
        }
    }

    // 3x5 glyphs, rows top to bottom, 3 bits each (left = 4).
    private static readonly Dictionary<char, int[]> Glyphs = new()
    {
        ['0'] = [7, 5, 5, 5, 7], ['1'] = [2, 6, 2, 2, 7], ['2'] = [7, 1, 7, 4, 7], ['3'] = [7, 1, 7, 1, 7],
        ['4'] = [5, 5, 7, 1, 1], ['5'] = [7, 4, 7, 1, 7], ['6'] = [7, 4, 7, 5, 7], ['7'] = [7, 1, 1, 1, 1],
        ['8'] = [7, 5, 7, 5, 7], ['9'] = [7, 5, 7, 1, 7], ['.'] = [0, 0, 0, 0, 2], ['-'] = [0, 0, 7, 0, 0],
    };

    private static void DrawText(float[] canvas, int cw, int ch, string text, int x0, int y0, (float, float, float) colour)
    {
        var x = x0;
        foreach (var character in text)
        {
            if (Glyphs.TryGetValue(character, out var rows))
                for (var r = 0; r < 5; r++)
                for (var bit = 0; bit < 3; bit++)
                    if ((rows[r] & (4 >> bit)) != 0) Fill(canvas, cw, ch, x + bit * Text, y0 + r * Text, Text, Text, colour);
            x += 4 * Text;
        }
    }
}
