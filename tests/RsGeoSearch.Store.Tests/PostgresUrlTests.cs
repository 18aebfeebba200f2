using Npgsql;

namespace RsGeoSearch.Store.Tests;

public sealed class PostgresUrlTests
{
    [Test]
    public void A_libpq_url_becomes_a_connection_string_with_the_catalog_search_path()
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString("postgresql://geo%40user:p%3Ass@db.internal:6543/catalog?sslmode=require"));
        Assert.Multiple(() =>
        {
            Assert.That(b.Host, Is.EqualTo("db.internal"));
            Assert.That(b.Port, Is.EqualTo(6543));
            Assert.That(b.Username, Is.EqualTo("geo@user"));
            Assert.That(b.Password, Is.EqualTo("p:ss"));
            Assert.That(b.Database, Is.EqualTo("catalog"));
            Assert.That(b.SslMode, Is.EqualTo(SslMode.Require));
            Assert.That(b.SearchPath, Is.EqualTo("rsgeo,public"));
        });
    }

    [Test]
    public void A_socket_url_and_a_keyword_string_are_accepted()
    {
        var socket = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString("postgres:///rsgeo?host=/var/run/postgresql&user=me"));
        Assert.That((socket.Host, socket.Database, socket.Username), Is.EqualTo(("/var/run/postgresql", "rsgeo", "me")));
        var keywords = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString("Host=h;Database=d;Username=u"));
        Assert.That((keywords.Host, keywords.Database, keywords.SearchPath), Is.EqualTo(("h", "d", "rsgeo,public")));
    }

    [Test]
    public void Redaction_hides_the_password_and_bad_addresses_are_explained()
    {
        var cs = PostgresUrl.ToConnectionString("postgresql://u:secret@h:5432/d");
        Assert.That(PostgresUrl.Redact(cs), Is.EqualTo("postgresql://u@h:5432/d"));
        Assert.Throws<StoreException>(() => PostgresUrl.ToConnectionString("postgresql://h:notaport/d"));
        Assert.Throws<StoreException>(() => PostgresUrl.ToConnectionString("   "));
    }

    [TestCase("3.3.2", 3, 3, 2)]
    [TestCase("0.8.0", 0, 8, 0)]
    [TestCase("3.4.0dev", 3, 4, 0)]
    public void Extension_versions_parse(string text, int major, int minor, int build) =>
        Assert.That(SchemaMigrator.ParseVersion(text), Is.EqualTo(new Version(major, minor, build)));
}
