using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace RsGeoSearch.Store.Tests.Catalog;

/// <summary>Geometries (Npgsql.NetTopologySuite) and vectors (Pgvector's Vector and HalfVector) through the store's data source and back.</summary>
[TestFixture]
public sealed class RoundTripTests
{
    [Test]
    public async Task A_polygon_round_trips_through_PostGIS_as_a_NetTopologySuite_geometry()
    {
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var polygon = factory.CreatePolygon([new(10.125, 40.5), new(10.25, 40.5), new(10.25, 40.625), new(10.125, 40.625), new(10.125, 40.5)]);
        await using var dataSource = CatalogStore.CreateDataSource(SharedDatabase.ConnectionString);
        await using var cmd = dataSource.CreateCommand("SELECT g, ST_SRID(g), ST_Area(g), GeometryType(g) FROM (SELECT @g::geometry(Polygon, 4326) AS g) x");
        cmd.Parameters.Add(new NpgsqlParameter("g", NpgsqlDbType.Geometry) { Value = polygon });
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True);
        var back = reader.GetFieldValue<Geometry>(0);
        Assert.Multiple(() =>
        {
            Assert.That(back, Is.InstanceOf<Polygon>());
            Assert.That(back.EqualsExact(polygon), Is.True, "same coordinates, same order");
            Assert.That(back.SRID, Is.EqualTo(4326));
            Assert.That(reader.GetInt32(1), Is.EqualTo(4326));
            Assert.That(reader.GetDouble(2), Is.EqualTo(polygon.Area).Within(1e-12));
            Assert.That(reader.GetString(3), Is.EqualTo("POLYGON"));
        });
    }

    [Test]
    public async Task A_512_dimensional_vector_round_trips_as_a_parameter_and_in_binary_copy_as_vector_and_halfvec()
    {
        var rng = new Random(512);
        var v = Enumerable.Range(0, 512).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        await using var dataSource = CatalogStore.CreateDataSource(SharedDatabase.ConnectionString);
        await using var conn = await dataSource.OpenConnectionAsync();

        await using (var cmd = new NpgsqlCommand("SELECT @v, vector_dims(@v), @v <=> @v", conn))
        {
            cmd.Parameters.AddWithValue("v", new Vector(v));
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.That(reader.GetFieldValue<Vector>(0).ToArray(), Is.EqualTo(v), "Vector -> vector -> Vector is lossless");
            Assert.That(reader.GetInt32(1), Is.EqualTo(512));
            Assert.That(reader.GetDouble(2), Is.EqualTo(0).Within(1e-6), "cosine distance to itself");
        }

        var half = v.Select(x => (Half)x).ToArray();
        await using (var create = new NpgsqlCommand("CREATE TEMP TABLE wire (e vector(512), h halfvec(512))", conn)) await create.ExecuteNonQueryAsync();
        await using (var copy = await conn.BeginBinaryImportAsync("COPY wire FROM STDIN (FORMAT BINARY)"))
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(new Vector(v), "vector");
            await copy.WriteAsync(new HalfVector(half), "halfvec");
            await copy.CompleteAsync();
        }
        await using (var read = new NpgsqlCommand("SELECT e, h, h::vector <=> e FROM wire", conn))
        {
            await using var reader = await read.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.That(reader.GetFieldValue<Vector>(0).ToArray(), Is.EqualTo(v), "vector through binary COPY");
            Assert.That(reader.GetFieldValue<HalfVector>(1).ToArray(), Is.EqualTo(half), "halfvec through binary COPY");
            Assert.That(reader.GetDouble(2), Is.LessThan(1e-6), "float16 rounding barely moves a cosine");
        }
    }

    [Test]
    public async Task A_data_source_built_before_create_extension_cannot_use_vectors_so_the_store_is_built_after_migrating()
    {
        // Npgsql loads the database's types once per data source: one that connected before CREATE EXTENSION vector
        // does not know the type on any later connection. DatabaseTarget.OpenStoreAsync therefore migrates first.
        var name = $"order_{Guid.NewGuid():N}";
        await using (var admin = NpgsqlDataSource.Create(SharedDatabase.ConnectionString))
        await using (var create = admin.CreateCommand($"CREATE DATABASE {name}"))
            await create.ExecuteNonQueryAsync();
        var cs = new NpgsqlConnectionStringBuilder(SharedDatabase.ConnectionString) { Database = name }.ConnectionString;
        try
        {
            await using var early = CatalogStore.CreateDataSource(cs);
            await using (var conn = await early.OpenConnectionAsync())
            await using (var ext = new NpgsqlCommand("CREATE EXTENSION vector", conn))
                await ext.ExecuteNonQueryAsync();
            await using (var conn = await early.OpenConnectionAsync())
            await using (var cmd = new NpgsqlCommand("SELECT @v", conn))
            {
                cmd.Parameters.AddWithValue("v", new Vector(new float[] { 1, 2, 3 }));
                Assert.That(async () => await cmd.ExecuteScalarAsync(), Throws.InstanceOf<Exception>(), "the early data source does not know pgvector's type");
            }

            await using var late = CatalogStore.CreateDataSource(cs);
            await using (var cmd = late.CreateCommand("SELECT @v"))
            {
                cmd.Parameters.AddWithValue("v", new Vector(new float[] { 1, 2, 3 }));
                Assert.That(((Vector)(await cmd.ExecuteScalarAsync())!).ToArray(), Is.EqualTo(new float[] { 1, 2, 3 }));
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = NpgsqlDataSource.Create(SharedDatabase.ConnectionString);
            await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            await drop.ExecuteNonQueryAsync();
        }
    }
}
