using System.Security.Cryptography;
using System.Text;
using NetTopologySuite.Geometries;
using Npgsql;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store.Tests.Catalog;

/// <summary>
/// A synthetic catalog written through the store: 40 one-degree scenes on an 8 x 5 grid (lon 10..18, lat
/// 40..45), each with 10 x 10 level-0 chips and 5 x 5 level-1 chips, one random acquisition day in
/// 2020-2021, random unit vectors. Keeps every chip's id, box, time and vector for brute-force answers.
/// </summary>
public sealed class SyntheticCatalog
{
    public sealed record Item(long Id, Envelope Box, DateTimeOffset Acquired, float[] Vector);

    public const int ScenesX = 8, ScenesY = 5, Dimension = 64;
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    public required ModelInfo Model { get; init; }
    public required IReadOnlyList<Item> Items { get; init; }
    public required IReadOnlyList<long> SceneIds { get; init; }

    public static async Task<SyntheticCatalog> WriteAsync(CatalogStore store, string modelName, int seed, int dimension = Dimension, bool? halfPrecision = null, double west = 10)
    {
        var rng = new Random(seed);
        var model = await store.Models.RegisterAsync(modelName, dimension, halfPrecision: halfPrecision);
        var pending = new List<(long Scene, int Level, int Col, int Row, Envelope Box, DateTimeOffset Time, float[] V)>();
        var sceneIds = new List<long>();
        for (var sx = 0; sx < ScenesX; sx++)
        for (var sy = 0; sy < ScenesY; sy++)
        {
            var (x0, y0) = (west + sx, 40.0 + sy);
            var acquired = new DateTimeOffset(2020, 1, 1, 10, 30, 0, TimeSpan.Zero).AddDays(rng.Next(0, 730));
            var scene = new Scene($"file:///synthetic/{modelName}/scene-{sx}-{sy}.tif", Sha($"{modelName}-{sx}-{sy}"), "EPSG:32633",
                acquired, AcquisitionSource.Metadata, Box(x0, y0, x0 + 1, y0 + 1), 1000, 1000, 3);
            var reg = await store.Ingest.BeginSceneAsync(scene, model);
            sceneIds.Add(reg.SceneId);
            var chips = new List<ChipEmbedding>();
            foreach (var (level, n) in new[] { (0, 10), (1, 5) })
            {
                var size = 1.0 / n;
                for (var col = 0; col < n; col++)
                for (var row = 0; row < n; row++)
                {
                    var box = new Envelope(x0 + col * size, x0 + (col + 1) * size, y0 + 1 - (row + 1) * size, y0 + 1 - row * size);
                    var v = RandomUnitVector(rng, dimension);
                    var px = 1000 / n;
                    chips.Add(new ChipEmbedding(new Chip(level, col, row, new PixelWindow(col * px, row * px, px, px),
                        Box(box.MinX, box.MinY, box.MaxX, box.MaxY), 0, null), v));
                    pending.Add((reg.SceneId, level, col, row, box, acquired, v));
                }
            }
            foreach (var batch in chips.Chunk(64)) await store.Ingest.WriteChipsAsync(reg.SceneId, model, batch);
            await store.Ingest.CompleteSceneAsync(reg.SceneId, model, chips.Count);
        }
        await store.Models.FinishBulkLoadAsync(model);

        var ids = new Dictionary<(long, int, int, int), long>();
        await using (var conn = await store.DataSource.OpenConnectionAsync())
        await using (var cmd = new NpgsqlCommand("SELECT id, scene_id, level, col, \"row\" FROM chips WHERE scene_id = ANY(@s)", conn))
        {
            cmd.Parameters.AddWithValue("s", sceneIds.ToArray());
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) ids[(reader.GetInt64(1), reader.GetInt16(2), reader.GetInt32(3), reader.GetInt32(4))] = reader.GetInt64(0);
        }
        var items = pending.Select(p => new Item(ids[(p.Scene, p.Level, p.Col, p.Row)], p.Box, p.Time, p.V)).ToList();
        return new SyntheticCatalog { Model = model, Items = items, SceneIds = sceneIds };
    }

    /// <summary>Brute-force answer: items passing the filter, by cosine similarity (double precision), then id.</summary>
    public List<(long Id, double Score)> BruteForce(float[] q, BoundingBox? bbox, TimeRange time, IReadOnlyCollection<long>? exclude = null) =>
        Matching(bbox, time)
            .Where(i => exclude is null || !exclude.Contains(i.Id))
            .Select(i => (i.Id, Score: Cosine(q, i.Vector)))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Id)
            .ToList();

    public IEnumerable<Item> Matching(BoundingBox? bbox, TimeRange time) => Items.Where(i =>
        (bbox is not { } b || i.Box.Intersects(new Envelope(b.MinX, b.MaxX, b.MinY, b.MaxY))) && time.Contains(i.Acquired));

    public static float[] RandomUnitVector(Random rng, int dim)
    {
        var v = new float[dim];
        double norm = 0;
        for (var i = 0; i < dim; i++)
        {
            // Box-Muller: a Gaussian per component gives a direction uniform on the sphere.
            var g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            v[i] = (float)g;
            norm += g * g;
        }
        var inv = 1 / Math.Sqrt(norm);
        for (var i = 0; i < dim; i++) v[i] = (float)(v[i] * inv);
        return v;
    }

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++) { dot += a[i] * (double)b[i]; na += a[i] * (double)a[i]; nb += b[i] * (double)b[i]; }
        return dot / Math.Sqrt(na * nb);
    }

    public static Polygon Box(double minX, double minY, double maxX, double maxY) =>
        Factory.CreatePolygon([new(minX, minY), new(maxX, minY), new(maxX, maxY), new(minX, maxY), new(minX, minY)]);

    public static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
