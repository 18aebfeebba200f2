using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Npgsql;
using RsGeoSearch.Api;
using RsGeoSearch.TestSupport;

namespace RsGeoSearch.Reliability.Tests;

/// <summary>
/// One test per limit of docs/SECURITY.md, against the real catalogue: upload size (413, also through Kestrel at
/// the 20 MB default), request time (504 while the chips table is locked, then recovery), result size (limit rejected
/// by /search, clamped by OGC and WFS), text length, API key on POSTs (401 without or with a wrong key; X-API-Key and
/// Bearer accepted; GETs open), the key never logged or echoed, and CORS off unless configured.
/// </summary>
[TestFixture]
public sealed class SecurityLimitTests
{
    private const string Key = "limits-key-3f9a5c1d7e2b4a60";
    private const string WrongKey = "wrong-key-a1b2c3d4e5f60718";

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var doc = JsonDocument.Parse(text).RootElement.Clone();
        Assert.That(doc.GetProperty("status").GetInt32(), Is.EqualTo(status));
        Assert.That(text, Does.Not.Contain("   at ").And.Not.Contain("Exception"));
        return doc;
    }

    private static async Task<byte[]> PngAsync(HttpClient client)
    {
        var search = JsonDocument.Parse(await client.GetStringAsync("/search?limit=1")).RootElement;
        var id = search.GetProperty("features")[0].GetProperty("id").ToString();
        return await client.GetByteArrayAsync($"/chips/{id}.png?size=64");
    }

    private static MultipartFormDataContent Form(byte[] image, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(image), "image", "chip.png" } };
        foreach (var (n, v) in fields) form.Add(new StringContent(v), n);
        return form;
    }

    private static HttpRequestMessage Post(string path, HttpContent content, string? key = null, bool bearer = false)
    {
        var m = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (key is not null)
        {
            if (bearer) m.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            else m.Headers.Add("X-API-Key", key);
        }
        return m;
    }

    [Test]
    public async Task UploadsOverTheCapAre413AndThoseUnderItAreDecoded()
    {
        var catalog = await ReliabilityCatalog.GetAsync();
        await using var host = await ApiHost.StartAsync(catalog.Catalog, new ApiOptions { ApiKey = Key, MaxUploadBytes = 64 * 1024 }, captureLogs: true);
        var png = await PngAsync(host.Client);
        Assert.That(png.Length, Is.LessThan(64 * 1024));

        using (var ok = await host.Client.SendAsync(Post("/embed", Form(png), Key)))
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ok.Content.ReadAsStringAsync());

        var big = new byte[100 * 1024];
        png.CopyTo(big, 0); // a PNG signature, then more bytes than the cap
        using (var tooBig = await host.Client.SendAsync(Post("/embed", Form(big), Key)))
            await ProblemAsync(tooBig, 413);
        using (var tooBigClassify = await host.Client.SendAsync(Post("/classify", Form(big, ("labels", "farmland,forest")), Key)))
            await ProblemAsync(tooBigClassify, 413);
        // A declared body far over the cap is refused from its Content-Length alone.
        var huge = new ByteArrayContent(new byte[3 * 1024 * 1024]);
        huge.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=x");
        using (var declared = await host.Client.SendAsync(Post("/similarity", huge, Key)))
            await ProblemAsync(declared, 413);
    }

    [Test]
    public async Task ADecompressionBombIsRefusedBeforeItIsDecoded()
    {
        var catalog = await ReliabilityCatalog.GetAsync();
        await using var host = await ApiHost.StartAsync(catalog.Catalog, new ApiOptions { ApiKey = Key }, captureLogs: true);
        var bomb = ZeroPng(12_000, 12_000); // 144 million pixels in a few hundred kilobytes
        Assert.That(bomb.Length, Is.LessThan(1024 * 1024));
        foreach (var (path, fields) in new[] { ("/embed", Array.Empty<(string, string)>()), ("/classify", new[] { ("labels", "farmland,forest") }) })
        {
            using var response = await host.Client.SendAsync(Post(path, Form(bomb, fields), Key));
            var problem = await ProblemAsync(response, 400);
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("12000x12000").And.Contain("million"));
        }
        using var ok = await host.Client.SendAsync(Post("/embed", Form(ZeroPng(2_000, 2_000)), Key));
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a large but reasonable image is still read");
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>An 8-bit greyscale PNG of zeros, written by hand (deflate makes it tiny).</summary>
    private static byte[] ZeroPng(int width, int height)
    {
        static void Chunk(Stream s, string type, byte[] data)
        {
            var be = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(be, data.Length);
            s.Write(be);
            var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            s.Write(typed);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(be, Crc32(typed));
            s.Write(be);
        }
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; colour type 0 (grey), deflate, no filter, no interlace
        var idat = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[width + 1];
            for (var y = 0; y < height; y++) z.Write(row);
        }
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", idat.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    [Test]
    public async Task TheDefault20MegabyteCapHoldsOnKestrel()
    {
        var catalog = await ReliabilityCatalog.GetAsync();
        var options = new ApiOptions { ApiKey = Key, Urls = ["http://127.0.0.1:0"] };
        Assert.That(options.MaxUploadBytes, Is.EqualTo(20L * 1024 * 1024), "the documented default");
        await using var host = await ApiHost.StartAsync(catalog.Catalog, options, kestrel: true, captureLogs: true);
        var image = new byte[21 * 1024 * 1024];
        (await PngAsync(host.Client)).CopyTo(image, 0);
        using var request = Post("/embed", Form(image), Key);
        request.Headers.ExpectContinue = true; // the server answers before the body is sent
        using var response = await host.Client.SendAsync(request);
        await ProblemAsync(response, 413);
        using var after = await host.Client.GetAsync("/health");
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ARequestOverTheTimeLimitIs504AndTheServiceRecovers()
    {
        var catalog = await ReliabilityCatalog.GetAsync();
        await using var host = await ApiHost.StartAsync(catalog.Catalog, new ApiOptions { ApiKey = Key, RequestTimeout = TimeSpan.FromSeconds(2) }, captureLogs: true);
        using (var warm = await host.Client.GetAsync("/search?q=farmland&limit=3"))
            Assert.That(warm.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // Another session holds an exclusive lock on the chips table: every query that reads chips waits on it.
        await using var locker = new NpgsqlConnection(catalog.Database.ConnectionString);
        await locker.OpenAsync();
        await using (var tx = await locker.BeginTransactionAsync())
        {
            await using (var cmd = new NpgsqlCommand("LOCK TABLE rsgeo.chips IN ACCESS EXCLUSIVE MODE", locker, tx))
                await cmd.ExecuteNonQueryAsync();
            using var slow = await host.Client.GetAsync("/search?q=forest&limit=3");
            var problem = await ProblemAsync(slow, 504);
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("time limit"));
            using var slowOgc = await host.Client.GetAsync("/ogc/collections/chips/items?q=forest&limit=3");
            await ProblemAsync(slowOgc, 504);
            await tx.RollbackAsync();
        }
        // The cancelled queries left no stuck connection or lock behind.
        using var again = await host.Client.GetAsync("/search?q=forest&limit=3");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), await again.Content.ReadAsStringAsync());
        Assert.That(JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("features").GetArrayLength(), Is.EqualTo(3));
    }

    [Test]
    public async Task ResultSizeIsCappedByMaxLimit()
    {
        var catalog = await ReliabilityCatalog.GetAsync();
        await using var host = await ApiHost.StartAsync(catalog.Catalog, new ApiOptions { ApiKey = Key, MaxLimit = 5 }, captureLogs: true);
        var c = host.Client;

        using (var over = await c.GetAsync("/search?q=farmland&limit=6"))
            Assert.That((await ProblemAsync(over, 400)).GetProperty("parameter").GetString(), Is.EqualTo("limit"));
        using (var scenes = await c.GetAsync("/scenes?limit=6"))
            await ProblemAsync(scenes, 400);
        var atMax = JsonDocument.Parse(await c.GetStringAsync("/search?q=farmland&limit=5")).RootElement;
        Assert.That(atMax.GetProperty("features").GetArrayLength(), Is.EqualTo(5));

        foreach (var limit in new[] { "6", "100000", "99999999999999999999" })
        {
            var page = JsonDocument.Parse(await c.GetStringAsync($"/ogc/collections/chips/items?limit={limit}")).RootElement;
            Assert.That(page.GetProperty("numberReturned").GetInt32(), Is.EqualTo(5), $"OGC limit={limit} is clamped");
            Assert.That(page.GetProperty("features").GetArrayLength(), Is.EqualTo(5));
            var next = page.GetProperty("links").EnumerateArray().First(l => l.GetProperty("rel").GetString() == "next").GetProperty("href").GetString();
            Assert.That(next, Does.Contain("offset=5"), "the next page starts after the clamped page");
        }
        var wfs = await c.GetStringAsync("/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=rsgeo:chips&COUNT=100000&OUTPUTFORMAT=application/json");
        Assert.That(JsonDocument.Parse(wfs).RootElement.GetProperty("features").GetArrayLength(), Is.EqualTo(5), "WFS COUNT is clamped");
        using (var likes = await c.GetAsync("/search?like=" + string.Join(',', Enumerable.Range(1, 101))))
            await ProblemAsync(likes, 400);
    }

    [Test]
    public async Task TextLengthsAreLimited()
    {
        var catalog = await ReliabilityCatalog.GetAsync();
        await using var host = await ApiHost.StartAsync(catalog.Catalog, new ApiOptions { ApiKey = Key }, captureLogs: true);
        var c = host.Client;
        using (var longQ = await c.GetAsync("/search?q=" + new string('a', 1001)))
            Assert.That((await ProblemAsync(longQ, 400)).GetProperty("parameter").GetString(), Is.EqualTo("q"));
        using (var okQ = await c.GetAsync("/search?q=" + new string('a', 1000) + "&limit=1"))
            Assert.That(okQ.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var longItemsQ = await c.GetAsync("/ogc/collections/chips/items?q=" + new string('a', 1001)))
            await ProblemAsync(longItemsQ, 400);
        var png = await PngAsync(c);
        using (var longLabel = await c.SendAsync(Post("/classify", Form(png, ("labels", "farmland," + new string('b', 301))), Key)))
            await ProblemAsync(longLabel, 400);
        using (var manyLabels = await c.SendAsync(Post("/classify", Form(png, ("labels", string.Join(',', Enumerable.Range(0, 201).Select(i => $"l{i}")))), Key)))
            await ProblemAsync(manyLabels, 400);
        using (var ok = await c.SendAsync(Post("/classify", Form(png, ("labels", "farmland,forest")), Key)))
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task PostsNeedTheApiKeyAndGetsDoNot()
    {
        var catalog = await ReliabilityCatalog.GetAsync();
        await using var host = await ApiHost.StartAsync(catalog.Catalog, new ApiOptions { ApiKey = Key }, captureLogs: true);
        var c = host.Client;
        var png = await PngAsync(c);
        foreach (var (path, fields) in new[] { ("/classify", new[] { ("labels", "farmland,forest") }), ("/similarity", new[] { ("texts", "a river") }), ("/embed", Array.Empty<(string, string)>()) })
        {
            using (var none = await c.SendAsync(Post(path, Form(png, fields))))
            {
                await ProblemAsync(none, 401);
                Assert.That(none.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
            }
            using (var wrong = await c.SendAsync(Post(path, Form(png, fields), WrongKey)))
                await ProblemAsync(wrong, 401);
            using (var wrongBearer = await c.SendAsync(Post(path, Form(png, fields), WrongKey, bearer: true)))
                await ProblemAsync(wrongBearer, 401);
            using (var prefix = await c.SendAsync(Post(path, Form(png, fields), Key[..^1])))
                await ProblemAsync(prefix, 401);
            using (var header = await c.SendAsync(Post(path, Form(png, fields), Key)))
                Assert.That(header.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{path} with X-API-Key");
            using (var bearer = await c.SendAsync(Post(path, Form(png, fields), Key, bearer: true)))
                Assert.That(bearer.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{path} with Bearer");
        }
        using (var inQuery = await c.SendAsync(Post($"/embed?api_key={Key}", Form(png))))
            Assert.That((int)inQuery.StatusCode, Is.EqualTo(401).Or.EqualTo(400), "a key in the URL is not accepted");
        foreach (var path in new[] { "/search?q=farmland", "/ogc/collections/chips/items", "/scenes", "/health", "/wfs?SERVICE=WFS&REQUEST=GetCapabilities" })
        {
            using var open = await c.GetAsync(path);
            Assert.That(open.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET {path} needs no key");
        }
    }

    [Test]
    public async Task TheApiKeyIsNeverLoggedNorEchoed()
    {
        var catalog = await ReliabilityCatalog.GetAsync();
        await using var host = await ApiHost.StartAsync(catalog.Catalog, new ApiOptions { ApiKey = Key, MaxUploadBytes = 64 * 1024 }, captureLogs: true);
        var c = host.Client;
        var png = await PngAsync(c);
        var bodies = new StringBuilder();
        async Task Send(HttpRequestMessage m)
        {
            using var r = await c.SendAsync(m);
            bodies.Append(await r.Content.ReadAsStringAsync());
            foreach (var h in r.Headers.Concat(r.Content.Headers)) bodies.Append(h.Key).Append(string.Join(",", h.Value));
        }
        await Send(Post("/embed", Form(png), Key));
        await Send(Post("/embed", Form(png), Key, bearer: true));
        await Send(Post("/embed", Form(png), WrongKey));
        await Send(Post("/embed", Form(png), WrongKey, bearer: true));
        await Send(Post("/classify", Form(png), Key)); // 400: no labels
        await Send(Post("/classify", Form(new byte[100 * 1024], ("labels", "a")), Key)); // 413
        await Send(Post("/embed", Form("not an image"u8.ToArray()), Key)); // 400
        await Send(Post("/similarity", new StringContent("{}", Encoding.UTF8, "application/json"), WrongKey));
        await Send(Post("/embed", Form(png), Key + "\u00e9\u202e"));

        var lines = host.Logs!.Lines.ToList();
        Assert.That(lines, Has.Count.GreaterThan(10), "trace-level logging captured the requests");
        Assert.That(lines.Any(l => l.Contains("/embed", StringComparison.Ordinal)), Is.True, "requests are logged, one line each");
        foreach (var secret in new[] { Key, WrongKey })
        {
            Assert.That(lines.Where(l => l.Contains(secret, StringComparison.Ordinal)), Is.Empty, "a key appears in the logs");
            Assert.That(bodies.ToString(), Does.Not.Contain(secret), "a key is echoed in a response");
        }
    }

    [Test]
    public async Task CorsHeadersOnlyForConfiguredOrigins()
    {
        var catalog = await ReliabilityCatalog.GetAsync();
        await using (var closed = await ApiHost.StartAsync(catalog.Catalog, new ApiOptions { ApiKey = Key }, captureLogs: true))
        {
            using var m = new HttpRequestMessage(HttpMethod.Get, "/search?q=farmland&limit=1");
            m.Headers.Add("Origin", "https://evil.example");
            using var r = await closed.Client.SendAsync(m);
            Assert.That(r.Headers.Contains("Access-Control-Allow-Origin"), Is.False, "no CORS unless configured");
        }
        await using var open = await ApiHost.StartAsync(catalog.Catalog, new ApiOptions { ApiKey = Key, CorsOrigins = ["https://maps.example.org"] }, captureLogs: true);
        foreach (var (origin, allowed) in new[] { ("https://maps.example.org", true), ("https://evil.example", false) })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/classify");
            preflight.Headers.Add("Origin", origin);
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "x-api-key");
            using var r = await open.Client.SendAsync(preflight);
            Assert.That(r.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Contains(origin), Is.EqualTo(allowed), origin);
        }
    }
}
