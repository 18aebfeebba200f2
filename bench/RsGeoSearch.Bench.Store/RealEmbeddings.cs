using System.Diagnostics;
using System.Globalization;
using RsGeoSearch.Core;
using RsGeoSearch.Inference;
using RsGeoSearch.Pipeline;
using RsGeoSearch.Raster;

namespace RsGeoSearch.Bench.Store;

/// <summary>
/// Base embeddings with the distribution of real ones: the bundled model's embeddings of real chips (AID scenes and
/// chips cut from the shared rasters), each under several augmentations (rotations, a flip, crops that change the
/// scale), grouped by where they came from (AID class or raster folder). Cached under artifacts/ so reruns do not
/// re-encode; the cache is keyed by the model's weights fingerprint.
/// </summary>
internal sealed record RealEmbeddings(float[][] Vectors, int[] Group, string[] Groups, float[][] TextQueries)
{
    private const int ScenesPerClass = 40;
    private const int QueryCaptions = 600;
    private static readonly int[] RasterChipSizes = [128, 256];

    public static RealEmbeddings LoadOrBuild(Model model, string cacheDir)
    {
        var file = Path.Combine(cacheDir, $"real-base-{model.Name}-{model.Fingerprint[..12]}.bin");
        if (File.Exists(file))
        {
            var cached = Read(file);
            Console.WriteLine($"real set: {cached.Vectors.Length:N0} base embeddings in {cached.Groups.Length} groups and {cached.TextQueries.Length} caption queries from {file}");
            return cached;
        }
        var data = SharedData.Resolve();
        var input = model.Preprocessing.Size;
        var big = input * 2; // read at twice the input size, so crops keep detail
        var vectors = new List<float[]>();
        var group = new List<int>();
        var groups = new List<string>();
        var clock = Stopwatch.StartNew();

        void Add(ChipImage image, string name)
        {
            var g = groups.IndexOf(name);
            if (g < 0) { groups.Add(name); g = groups.Count - 1; }
            var augmented = Augment(image, input);
            foreach (var v in model.EncodeImages(augmented))
            {
                vectors.Add(v);
                group.Add(g);
            }
        }

        foreach (var dir in Directory.GetDirectories(Path.Combine(data, "scenes", "aid")).Order(StringComparer.Ordinal))
        {
            foreach (var jpg in Directory.GetFiles(dir, "*.jpg").Order(StringComparer.Ordinal).Take(ScenesPerClass))
                Add(ImageReader.Read(jpg, big, big), "aid/" + Path.GetFileName(dir));
            Console.Error.Write($"\r  encoding real chips: {vectors.Count:N0} embeddings, {vectors.Count / clock.Elapsed.TotalSeconds:F0}/s   ");
        }
        foreach (var folder in Directory.GetDirectories(Path.Combine(data, "rasters")).Order(StringComparer.Ordinal))
        {
            foreach (var file2 in RasterFiles.Expand([folder]))
            foreach (var size in RasterChipSizes)
            {
                using var dataset = RasterDataset.Open(file2);
                using var tiler = new Tiler(dataset, new TilerOptions { ChipSize = size, Levels = [0], OutputSize = big, MaxNodataFraction = 0.3, Edges = EdgeMode.Pad, AllowUngeoreferenced = true }.Validated());
                foreach (var chip in tiler.Chips()) Add(chip.Image!, "raster/" + Path.GetFileName(folder));
            }
            Console.Error.Write($"\r  encoding real chips: {vectors.Count:N0} embeddings, {vectors.Count / clock.Elapsed.TotalSeconds:F0}/s   ");
        }
        Console.Error.WriteLine();

        // Text queries: captions people wrote for these scenes (distinct, a fixed sample).
        var captions = File.ReadLines(Path.Combine(data, "captions", "rsicd-train.tsv")).Skip(1)
            .Select(l => l.Split('\t')).Where(p => p.Length >= 3).Select(p => p[2].Trim()).Distinct(StringComparer.Ordinal).ToList();
        var rng = new Random(11);
        var picked = captions.OrderBy(_ => rng.Next()).Take(QueryCaptions).ToArray();
        var texts = model.EncodeTexts(picked);

        var result = new RealEmbeddings(vectors.ToArray(), group.ToArray(), groups.ToArray(), texts);
        Directory.CreateDirectory(cacheDir);
        result.Write(file);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"real set: encoded {vectors.Count:N0} base embeddings ({groups.Count} groups) and {texts.Length} caption queries in {clock.Elapsed.TotalSeconds:F0} s; cached in {file}"));
        return result;
    }

    /// <summary>Five views of one image read at twice the input size: whole (downscaled), rotated 90°, rotated 180° and mirrored, a 2x zoom (centre crop), a 1.4x zoom off centre.</summary>
    private static ChipImage[] Augment(ChipImage image, int size)
    {
        var whole = Crop(image, 0, 0, image.Width, image.Height, size);
        var third = image.Width * 3 / 4;
        return
        [
            whole,
            Rotate90(whole),
            Mirror(Rotate90(Rotate90(whole))),
            Crop(image, image.Width / 4, image.Height / 4, image.Width / 2, image.Height / 2, size),
            Crop(image, image.Width - third, 0, third, third, size),
        ];
    }

    /// <summary>Bilinear resampling of a source window to size x size.</summary>
    private static ChipImage Crop(ChipImage src, int x0, int y0, int w, int h, int size)
    {
        var dst = new float[3 * size * size];
        int sw = src.Width, sh = src.Height;
        for (var y = 0; y < size; y++)
        {
            var fy = Math.Clamp(y0 + (y + 0.5) * h / size - 0.5, 0, sh - 1);
            var iy = (int)fy;
            var iy1 = Math.Min(iy + 1, sh - 1);
            var ty = (float)(fy - iy);
            for (var x = 0; x < size; x++)
            {
                var fx = Math.Clamp(x0 + (x + 0.5) * w / size - 0.5, 0, sw - 1);
                var ix = (int)fx;
                var ix1 = Math.Min(ix + 1, sw - 1);
                var tx = (float)(fx - ix);
                for (var c = 0; c < 3; c++)
                {
                    var p = c * sw * sh;
                    var top = src.Chw[p + iy * sw + ix] * (1 - tx) + src.Chw[p + iy * sw + ix1] * tx;
                    var bottom = src.Chw[p + iy1 * sw + ix] * (1 - tx) + src.Chw[p + iy1 * sw + ix1] * tx;
                    dst[c * size * size + y * size + x] = top * (1 - ty) + bottom * ty;
                }
            }
        }
        return new ChipImage(dst, size, size);
    }

    private static ChipImage Rotate90(ChipImage src) => Remap(src, (x, y, n) => x * n + (n - 1 - y));

    private static ChipImage Mirror(ChipImage src) => Remap(src, (x, y, n) => y * n + (n - 1 - x));

    /// <summary>Moves pixel (x, y) of a square image to the index <paramref name="target"/> gives, in every band.</summary>
    private static ChipImage Remap(ChipImage src, Func<int, int, int, int> target)
    {
        var n = src.Width;
        var dst = new float[src.Chw.Length];
        for (var c = 0; c < 3; c++)
        for (var y = 0; y < n; y++)
        for (var x = 0; x < n; x++)
            dst[c * n * n + target(x, y, n)] = src.Chw[c * n * n + y * n + x];
        return new ChipImage(dst, n, n);
    }

    private void Write(string file)
    {
        using var w = new BinaryWriter(File.Create(file));
        w.Write(Vectors.Length);
        w.Write(Vectors[0].Length);
        w.Write(Groups.Length);
        foreach (var g in Groups) w.Write(g);
        for (var i = 0; i < Vectors.Length; i++)
        {
            w.Write(Group[i]);
            foreach (var x in Vectors[i]) w.Write(x);
        }
        w.Write(TextQueries.Length);
        foreach (var t in TextQueries)
            foreach (var x in t) w.Write(x);
    }

    private static RealEmbeddings Read(string file)
    {
        using var r = new BinaryReader(File.OpenRead(file));
        var n = r.ReadInt32();
        var dim = r.ReadInt32();
        var groups = Enumerable.Range(0, r.ReadInt32()).Select(_ => r.ReadString()).ToArray();
        var vectors = new float[n][];
        var group = new int[n];
        for (var i = 0; i < n; i++)
        {
            group[i] = r.ReadInt32();
            vectors[i] = new float[dim];
            for (var j = 0; j < dim; j++) vectors[i][j] = r.ReadSingle();
        }
        var texts = new float[r.ReadInt32()][];
        for (var i = 0; i < texts.Length; i++)
        {
            texts[i] = new float[dim];
            for (var j = 0; j < dim; j++) texts[i][j] = r.ReadSingle();
        }
        return new RealEmbeddings(vectors, group, groups, texts);
    }
}
