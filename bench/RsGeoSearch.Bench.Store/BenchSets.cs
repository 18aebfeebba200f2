using System.Security.Cryptography;
using System.Text;
using NetTopologySuite.Geometries;
using RsGeoSearch.Core;
using RsGeoSearch.Store;

namespace RsGeoSearch.Bench.Store;

/// <summary>One scene of a benchmark catalogue and its chips' embeddings.</summary>
internal sealed record BenchScene(Scene Scene, List<ChipEmbedding> Chips);

/// <summary>
/// A benchmark catalogue: its model name, how its scenes are laid out and filled, and how its queries are drawn.
/// Both sets use scenes of 20 x 25 chips of 0.5 x 0.5 degrees; they lie in different regions so that one database can
/// hold both without one set's chips entering the other's box filters.
/// </summary>
internal abstract class BenchSet
{
    protected const int Cols = 20, Rows = 25, PerScene = Cols * Rows;
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    public abstract string Name { get; }
    public abstract string ModelName { get; }
    public abstract int Dimension { get; }
    public abstract IEnumerable<BenchScene> Scenes(int chips);
    public abstract float[] Query(Random rng);

    protected static Scene MakeScene(string key, double x0, double y0, DateTimeOffset? acquired) =>
        new($"file:///bench/{key}.tif", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), "EPSG:3035",
            acquired, acquired is null ? AcquisitionSource.Unknown : AcquisitionSource.Metadata, Rect(x0, y0, x0 + 0.5, y0 + 0.5),
            Cols * 256, Rows * 256, 3);

    protected static Chip GridChip(double x0, double y0, int i)
    {
        var (c, r) = (i % Cols, i / Cols);
        var (w, h) = (0.5 / Cols, 0.5 / Rows);
        return new Chip(0, c, r, new PixelWindow(c * 256, r * 256, 256, 256),
            Rect(x0 + c * w, y0 + 0.5 - (r + 1) * h, x0 + (c + 1) * w, y0 + 0.5 - r * h), 0, null);
    }

    private static Polygon Rect(double minX, double minY, double maxX, double maxY) =>
        Factory.CreatePolygon([new(minX, minY), new(maxX, minY), new(maxX, maxY), new(minX, maxY), new(minX, minY)]);
}

/// <summary>
/// The hard case: random unit vectors around 200 cluster centres (noise 0.6), scenes scattered over Europe, one
/// acquisition day per scene in 2018-2024, half of each scene's chips from its dominant centre.
/// </summary>
internal sealed class SyntheticSet(int dim) : BenchSet
{
    private readonly float[][] _centres = Vectors.Centres(new Random(20240601), dim);

    public override string Name => "synthetic";
    public override string ModelName => $"bench-{dim}";
    public override int Dimension => dim;

    public override IEnumerable<BenchScene> Scenes(int chips)
    {
        var rng = new Random(20240602);
        for (var (s, written) = (0, 0); written < chips; s++)
        {
            var (x0, y0) = (-10 + rng.NextDouble() * 39.5, 36 + rng.NextDouble() * 23.5);
            var acquired = new DateTimeOffset(2018, 1, 1, 10, 0, 0, TimeSpan.Zero).AddDays(rng.Next(0, 7 * 365));
            var count = Math.Min(PerScene, chips - written);
            var topic = rng.Next(_centres.Length);
            var batch = new List<ChipEmbedding>(count);
            for (var i = 0; i < count; i++)
            {
                var centre = _centres[rng.NextDouble() < 0.5 ? topic : rng.Next(_centres.Length)];
                batch.Add(new ChipEmbedding(GridChip(x0, y0, i), Vectors.Perturb(rng, centre, 0.6f)));
            }
            yield return new BenchScene(MakeScene($"bench-{s}", x0, y0, acquired), batch);
            written += count;
        }
    }

    // Near a random centre, like a text query that has many relevant chips.
    public override float[] Query(Random rng) => Vectors.Perturb(rng, _centres[rng.Next(_centres.Length)], 0.9f);
}

/// <summary>
/// Real embeddings spread out: places (scene footprints) over North America, each with a theme (an AID class or a
/// raster folder); a place's chips take base embeddings of real chips, 60 % from its theme and 40 % from anywhere,
/// plus small noise (0.1); 1-6 dates per place in 2016-2024, each date adding smaller noise (0.05) to the place's
/// chips (revisits look alike); 15 % of places undated. Queries are caption texts through the text encoder.
/// </summary>
internal sealed class RealSet(RealEmbeddings real) : BenchSet
{
    private readonly int[][] _byGroup = Enumerable.Range(0, real.Groups.Length)
        .Select(g => Enumerable.Range(0, real.Group.Length).Where(i => real.Group[i] == g).ToArray()).ToArray();

    public override string Name => "real";
    public override string ModelName => $"bench-real-{Dimension}";
    public override int Dimension => real.Vectors[0].Length;

    public override IEnumerable<BenchScene> Scenes(int chips)
    {
        var rng = new Random(20240603);
        var written = 0;
        for (var p = 0; written < chips; p++)
        {
            var (x0, y0) = (-125 + rng.NextDouble() * 54.5, 25 + rng.NextDouble() * 24.5);
            var members = _byGroup[rng.Next(_byGroup.Length)];
            var place = new float[PerScene][];
            for (var i = 0; i < PerScene; i++)
            {
                var b = rng.NextDouble() < 0.6 ? members[rng.Next(members.Length)] : rng.Next(real.Vectors.Length);
                place[i] = Vectors.Perturb(rng, real.Vectors[b], 0.1f);
            }
            var undated = rng.NextDouble() < 0.15;
            var dates = undated ? 1 : 1 + rng.Next(6);
            for (var d = 0; d < dates && written < chips; d++)
            {
                DateTimeOffset? acquired = undated ? null
                    : new DateTimeOffset(2016, 4, 1, 10, 0, 0, TimeSpan.Zero).AddDays(rng.Next(0, 9 * 365));
                var count = Math.Min(PerScene, chips - written);
                var batch = new List<ChipEmbedding>(count);
                for (var i = 0; i < count; i++) batch.Add(new ChipEmbedding(GridChip(x0, y0, i), Vectors.Perturb(rng, place[i], 0.05f)));
                yield return new BenchScene(MakeScene($"real-{p}-{d}", x0, y0, acquired), batch);
                written += count;
            }
        }
    }

    public override float[] Query(Random rng) => real.TextQueries[rng.Next(real.TextQueries.Length)];
}

internal static class Vectors
{
    /// <summary>The 200 cluster centres of the synthetic catalogue: the first draws of a seeded generator.</summary>
    public static float[][] Centres(Random rng, int dim) => Enumerable.Range(0, 200).Select(_ => RandomUnit(rng, dim)).ToArray();

    public static float[] RandomUnit(Random rng, int dim)
    {
        var v = new float[dim];
        for (var i = 0; i < dim; i++) v[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return Normalize(v);
    }

    /// <summary>centre + noise x a random unit vector, renormalised.</summary>
    public static float[] Perturb(Random rng, float[] centre, float noise)
    {
        var n = RandomUnit(rng, centre.Length);
        var v = new float[centre.Length];
        for (var i = 0; i < v.Length; i++) v[i] = centre[i] + noise * n[i];
        return Normalize(v);
    }

    public static float[] Normalize(float[] v)
    {
        double s = 0;
        foreach (var x in v) s += x * (double)x;
        var inv = (float)(1 / Math.Sqrt(s));
        for (var i = 0; i < v.Length; i++) v[i] *= inv;
        return v;
    }
}
