using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Npgsql;
using NpgsqlTypes;

namespace RsGeoSearch.Store.Tests.Catalog;

/// <summary>Geometry (NetTopologySuite WKB) and vectors (real[] and pgvector's binary format) through Npgsql and back.</summary>
[TestFixture]
public sealed class RoundTripTests
{
    [Test]
    public async Task A_polygon_round_trips_through_PostGIS_as_WKB()
    {
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var polygon = factory.CreatePolygon([new(10.125, 40.5), new(10.25, 40.5), new(10.25, 40.625), new(10.125, 40.625), new(10.125, 40.5)]);
        await using var conn = new NpgsqlConnection(SharedDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT ST_AsBinary(g), ST_SRID(g), ST_Area(g), GeometryType(g) FROM (SELECT ST_GeomFromWKB(@wkb, 4326)::geometry(Polygon, 4326) AS g) x", conn);
        cmd.Parameters.Add(new NpgsqlParameter("wkb", NpgsqlDbType.Bytea) { Value = new WKBWriter().Write(polygon) });
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True);
        var back = (Polygon)new WKBReader().Read(reader.GetFieldValue<byte[]>(0));
        Assert.Multiple(() =>
        {
            Assert.That(back.EqualsExact(polygon), Is.True, "same coordinates, same order");
            Assert.That(reader.GetInt32(1), Is.EqualTo(4326));
            Assert.That(reader.GetDouble(2), Is.EqualTo(polygon.Area).Within(1e-12));
            Assert.That(reader.GetString(3), Is.EqualTo("POLYGON"));
        });
    }

    [Test]
    public async Task A_512_dimensional_vector_round_trips_as_real_array_and_in_binary_copy()
    {
        var rng = new Random(512);
        var v = Enumerable.Range(0, 512).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        await using var conn = new NpgsqlConnection(SharedDatabase.ConnectionString);
        await conn.OpenAsync();

        await using (var cmd = new NpgsqlCommand("SELECT (@v::vector(512))::real[], vector_dims(@v::vector), @v::vector <=> @v::vector", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter("v", NpgsqlDbType.Array | NpgsqlDbType.Real) { Value = v });
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.That(reader.GetFieldValue<float[]>(0), Is.EqualTo(v), "real[] -> vector -> real[] is lossless");
            Assert.That(reader.GetInt32(1), Is.EqualTo(512));
            Assert.That(reader.GetDouble(2), Is.EqualTo(0).Within(1e-6), "cosine distance to itself");
        }

        await using (var create = new NpgsqlCommand("CREATE TEMP TABLE wire (e vector(512))", conn)) await create.ExecuteNonQueryAsync();
        await using (var copy = await conn.BeginBinaryImportAsync("COPY wire FROM STDIN (FORMAT BINARY)"))
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(VectorWire.Encode(v), NpgsqlDbType.Bytea);
            await copy.CompleteAsync();
        }
        await using (var read = new NpgsqlCommand("SELECT e::real[] FROM wire", conn))
            Assert.That((float[])(await read.ExecuteScalarAsync())!, Is.EqualTo(v), "pgvector binary wire format through COPY");
    }
}
