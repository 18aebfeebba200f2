using System.Globalization;
using Npgsql;

namespace RsGeoSearch.Store;

/// <summary>
/// Turns what a user gives as a database address — a libpq URL (<c>postgresql://user:pass@host:5432/db?sslmode=require</c>,
/// <c>postgresql:///db?host=/var/run/postgresql</c>) or a Npgsql connection string (<c>Host=...;Database=...</c>)
/// — into a Npgsql connection string whose search path reaches the catalog schema.
/// </summary>
public static class PostgresUrl
{
    public static string ToConnectionString(string address)
    {
        address = address.Trim();
        if (address.Length == 0) throw new StoreException("the database address is empty; give a URL such as postgresql://user:password@host:5432/rsgeo");
        var b = address.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || address.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            ? FromUrl(address)
            : FromKeywords(address);
        if (string.IsNullOrEmpty(b.SearchPath)) b.SearchPath = SchemaMigrator.Schema + ",public";
        if (string.IsNullOrEmpty(b.ApplicationName)) b.ApplicationName = "rsgeo";
        return b.ConnectionString;
    }

    /// <summary>The address with any password removed, for messages and logs.</summary>
    public static string Redact(string connectionString)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            var host = b.Host ?? "localhost";
            return $"postgresql://{(b.Username is null ? "" : Uri.EscapeDataString(b.Username) + "@")}{(host.StartsWith('/') ? "" : host)}:{b.Port}/{b.Database}{(host.StartsWith('/') ? "?host=" + host : "")}";
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }
    }

    private static NpgsqlConnectionStringBuilder FromKeywords(string text)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (ArgumentException e)
        {
            throw new StoreException($"the database address is neither a postgresql:// URL nor a valid connection string ({e.Message})", e);
        }
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string url)
    {
        // System.Uri rejects an empty host (postgresql:///db), so parse the authority by hand.
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        string query = "";
        var q = rest.IndexOf('?');
        if (q >= 0) { query = rest[(q + 1)..]; rest = rest[..q]; }
        var slash = rest.IndexOf('/');
        var authority = slash >= 0 ? rest[..slash] : rest;
        var database = slash >= 0 ? Uri.UnescapeDataString(rest[(slash + 1)..]) : "";

        var b = new NpgsqlConnectionStringBuilder();
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = authority[..at];
            authority = authority[(at + 1)..];
            var colon = userInfo.IndexOf(':');
            b.Username = Uri.UnescapeDataString(colon >= 0 ? userInfo[..colon] : userInfo);
            if (colon >= 0) b.Password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        }
        if (authority.Length > 0)
        {
            string host = authority;
            if (authority.StartsWith('['))
            {
                var end = authority.IndexOf(']');
                if (end < 0) throw new StoreException($"database URL '{Redact(url)}': unterminated IPv6 address");
                host = authority[1..end];
                if (end + 1 < authority.Length && authority[end + 1] == ':') b.Port = ParsePort(authority[(end + 2)..]);
            }
            else
            {
                var colon = authority.LastIndexOf(':');
                if (colon >= 0) { host = authority[..colon]; b.Port = ParsePort(authority[(colon + 1)..]); }
            }
            b.Host = Uri.UnescapeDataString(host);
        }
        if (database.Length > 0) b.Database = database;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(eq >= 0 ? pair[..eq] : pair);
            var value = eq >= 0 ? Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' ')) : "";
            switch (key)
            {
                case "host": b.Host = value; break;
                case "port": b.Port = ParsePort(value); break;
                case "user": b.Username = value; break;
                case "password": b.Password = value; break;
                case "dbname": b.Database = value; break;
                case "sslmode": b.SslMode = Enum.Parse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true); break;
                case "application_name": b.ApplicationName = value; break;
                case "connect_timeout": b.Timeout = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "options" when value.Contains("search_path", StringComparison.Ordinal): b.Options = value; break;
                default:
                    try { b[key] = value; }
                    catch (ArgumentException e) { throw new StoreException($"database URL parameter '{key}' is not supported", e); }
                    break;
            }
        }
        b.Host ??= "localhost";
        return b;
    }

    private static int ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new StoreException($"'{text}' is not a port number in the database URL");
}
