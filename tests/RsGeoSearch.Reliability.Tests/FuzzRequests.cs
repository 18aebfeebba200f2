using System.Globalization;
using System.Text;

namespace RsGeoSearch.Reliability.Tests;

/// <summary>One generated request: method, path with query (already encoded, possibly on purpose badly), and for POSTs a body.</summary>
internal sealed record FuzzRequest(string Endpoint, HttpMethod Method, string PathAndQuery, Func<HttpContent?> Body, string? ApiKey);

/// <summary>
/// Generates requests for every HTTP endpoint from a seed: each parameter gets a valid value or a hostile one (SQL
/// injection, path traversal, huge and non-finite numbers, RTL/emoji/NUL/combining unicode, very long strings, broken
/// percent-encoding), plus duplicated, unknown and wrongly cased parameters, wrong methods and malformed uploads.
/// </summary>
internal sealed class FuzzRequests(int seed, FuzzRequests.Facts facts)
{
    /// <summary>What the generator knows of the catalogue, to mix valid values in.</summary>
    internal sealed record Facts(IReadOnlyList<long> ChipIds, IReadOnlyList<long> SceneIds, string ValidBbox, string ValidInterval, string Model, byte[] Png, string ApiKey);

    private readonly Random rng = new(seed);

    /// <summary>The chance that one value is hostile: low for "mostly valid" requests (so deep code runs), high otherwise.</summary>
    private double hostility;

    public static readonly string[] Hostile =
    [
        "' OR 1=1 --", "'; DROP TABLE rsgeo.chips; --", "1; DELETE FROM rsgeo.embeddings", "\" OR \"\"=\"", "1)) UNION SELECT usename, passwd FROM pg_shadow--",
        "$$; SELECT pg_sleep(30); $$", "'||(SELECT pg_sleep(30))||'", "1' AND (SELECT count(*) FROM pg_stat_activity) > 0 --", "\\x27; TRUNCATE rsgeo.scenes CASCADE",
        "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e/%2e%2e/etc/passwd", "/etc/passwd", "....//....//etc/passwd", "C:\\Windows\\win.ini", "file:///etc/passwd",
        "\0", "a\0b", "NaN", "Infinity", "-Infinity", "1e309", "-1e309", "-1", "0", "-0", "1e-400", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "2147483647", "2147483648", "-2147483649", "99999999999999999999999999999", "1.5", "0x10", "1_000", "١٢٣", "1,2,3", ",,,", "", " ", "\t\n", "null", "undefined",
        "true", "[]", "{}", "<script>alert(1)</script>", "<!--", "]]>", "%", "%%", "%ZZ", "😀🛰️🌍", "مرحبا بالعالم", "שלום", "\u202Eevil\u202C", "e\u0301\u0301\u0301\u0301",
        "Z\u0334\u0321\u031Ba\u0336l\u0337g\u0338o\u0335", "\uFEFF", "\u200B\u200D", "\uFFFF", "𝕗𝕒𝕣𝕞𝕝𝕒𝕟𝕕", "farmland\r\nX-Injected: 1", "${jndi:ldap://x/a}", "{{7*7}}",
        "%s%s%s%n", "\\u0000", "-180,-90,180,90,0", "1,2", "nan,nan,nan,nan", "1e308,1e308,-1e308,-1e308", "−10,−10,10,10", "0,0,0,0",
        "2020-13-45", "2020-02-30", "9999-12-31T23:59:59Z/..", "../..", "/", "2020/2010", "0000-00-00", "2015-06-29T25:61:61Z", "-0001-01-01",
        "rsgeo:chips", "rsgeo:../../etc", "urn:ogc:def:crs:EPSG::99999",
    ];

    private static readonly string[] RawEncodings = ["%ED%A0%80", "%C0%AF", "%FF%FE", "%00", "%E2%80%AE", "%2e%2e%2f%2e%2e%2f", "%252e%252e%252f", "%0d%0aSet-Cookie:x=1", "%"];

    private static readonly string[] Words = ["farmland", "a river", "dense residential area", "forest", "an airport", "parking lot", "bare land", "a port with ships"];

    private sealed record Endpoint(string Name, string[] Methods, Func<string> Path, string[] Parameters, string[]? Core = null);

    private bool Strict => hostility < 0.1;

    public IEnumerable<FuzzRequest> Generate(int count)
    {
        var endpoints = new List<Endpoint>
        {
            new("/", ["GET"], () => "/", []),
            new("/health", ["GET"], () => "/health", []),
            new("/models", ["GET"], () => "/models", []),
            new("/scenes", ["GET"], () => "/scenes", ["bbox", "datetime", "limit", "offset"]),
            new("/scenes/{id}", ["GET"], () => "/scenes/" + Id(facts.SceneIds), []),
            new("/search", ["GET"], () => "/search", ["q", "not", "bbox", "datetime", "limit", "offset", "min_score", "min_relevance", "group", "model", "like", "unlike"],
                ["q", "bbox", "datetime", "limit", "offset", "min_score", "like"]),
            new("/chips/{id}", ["GET"], () => "/chips/" + Id(facts.ChipIds), []),
            new("/chips/{id}/similar", ["GET"], () => $"/chips/{Id(facts.ChipIds)}/similar", ["bbox", "datetime", "limit", "offset", "min_score", "model"]),
            new("/chips/{id}.png", ["GET"], () => $"/chips/{Id(facts.ChipIds)}.png", ["size"]),
            new("/changes", ["GET"], () => "/changes", ["bbox", "from", "to", "q", "from_q", "to_q", "limit", "iou", "normalise", "pairs", "model"],
                ["bbox", "from", "to", "q", "limit"]),
            new("/ogc", ["GET"], () => Pick("/ogc", "/ogc/", "/OGC", "/ogc//"), ["f"]),
            new("/ogc/conformance", ["GET"], () => "/ogc/conformance", ["f"]),
            new("/ogc/api", ["GET"], () => "/ogc/api", ["f"]),
            new("/ogc/collections", ["GET"], () => "/ogc/collections", ["f"]),
            new("/ogc/collections/{c}", ["GET"], () => "/ogc/collections/" + Collection(), ["f"]),
            new("/ogc/collections/{c}/items", ["GET"], () => $"/ogc/collections/{Collection()}/items",
                ["bbox", "bbox-crs", "datetime", "limit", "offset", "q", "not", "min_score", "min_relevance", "group", "model", "f", "from_q", "to_q", "iou", "pairs"],
                ["bbox", "datetime", "limit", "offset", "q"]),
            new("/ogc/collections/{c}/items/{id}", ["GET"], () => $"/ogc/collections/{Collection()}/items/{Id(facts.ChipIds.Concat(facts.SceneIds).ToList())}", ["f"]),
            new("/wfs", ["GET"], () => "/wfs", ["SERVICE", "REQUEST", "VERSION", "ACCEPTVERSIONS", "TYPENAMES", "TYPENAME", "BBOX", "FILTER", "RESOURCEID", "COUNT",
                "MAXFEATURES", "STARTINDEX", "OUTPUTFORMAT", "SRSNAME", "Q", "NOT", "MIN_RELEVANCE", "RESULTTYPE"]),
            new("/classify", ["POST"], () => "/classify", []),
            new("/similarity", ["POST"], () => "/similarity", []),
            new("/embed", ["POST"], () => "/embed", []),
        };
        for (var i = 0; i < count; i++)
        {
            var e = endpoints[i % endpoints.Count]; // every endpoint equally often
            hostility = rng.NextDouble() < 0.4 ? 0.03 : 0.45;
            var method = !Strict && rng.NextDouble() < 0.06 ? Pick("PUT", "DELETE", "PATCH", e.Methods[0] == "GET" ? "POST" : "GET", "OPTIONS", "HEAD") : e.Methods[0];
            var query = Query(e);
            var path = e.Path();
            var key = e.Methods[0] == "POST" ? Pick<string?>(facts.ApiKey, facts.ApiKey, facts.ApiKey, null, "wrong-key-0000000000", "' OR 1=1 --") : null;
            Func<HttpContent?> body = e.Methods[0] == "POST" && method == "POST" ? UploadBody(e.Name) : () => null;
            yield return new FuzzRequest(e.Name, new HttpMethod(method), path + query, body, key);
        }
    }

    private string Query(Endpoint e)
    {
        var parts = new List<string>();
        foreach (var p in Strict ? e.Core ?? e.Parameters : e.Parameters)
        {
            if (rng.NextDouble() > (e.Name == "/wfs" ? 0.55 : 0.4)) continue;
            if (Strict && e.Name == "/changes" && p == "bbox") continue; // added below, always
            var name = e.Name == "/wfs" ? RandomCase(p) : !Strict && rng.NextDouble() < 0.05 ? RandomCase(p) : p;
            parts.Add(Pair(name, Value(p)));
            if (!Strict && rng.NextDouble() < 0.05) parts.Add(Pair(name, Value(p))); // duplicate
        }
        if (Strict && e.Name == "/changes") parts.Add(Pair("bbox", "-100.5,46.5,-98.5,47.5")); // the NAIP series: ten dates
        if (e.Name == "/wfs" && rng.NextDouble() < 0.8)
        {
            // Mostly well-formed WFS requests, so that deeper code runs.
            if (!parts.Any(x => x.StartsWith("service=", StringComparison.OrdinalIgnoreCase))) parts.Add(Pair(RandomCase("SERVICE"), Pick("WFS", "wfs", "WMS", Hostile[rng.Next(Hostile.Length)])));
            if (!parts.Any(x => x.StartsWith("request=", StringComparison.OrdinalIgnoreCase))) parts.Add(Pair(RandomCase("REQUEST"), Pick("GetFeature", "GetFeature", "getcapabilities", "DescribeFeatureType", "GetPropertyValue", Hostile[rng.Next(Hostile.Length)])));
            if (!parts.Any(x => x.StartsWith("version=", StringComparison.OrdinalIgnoreCase))) parts.Add(Pair(RandomCase("VERSION"), Pick("2.0.0", "2.0.0", "1.1.0", "2.0")));
            if (!parts.Any(x => x.StartsWith("typenames=", StringComparison.OrdinalIgnoreCase))) parts.Add(Pair(RandomCase("TYPENAMES"), Pick("rsgeo:chips", "rsgeo:scenes", "chips", "RSGEO:CHIPS", "rsgeo:chips,rsgeo:scenes")));
        }
        if (rng.NextDouble() < hostility / 4) parts.Add(Pair(Pick("foo", "api_key", "__proto__", "q[]", "limit ", "Limit", "BBOX", "f", "callback", Hostile[rng.Next(Hostile.Length)]), Value("q")));
        if (rng.NextDouble() < hostility / 10) parts.Add(RawEncodings[rng.Next(RawEncodings.Length)] + "=" + RawEncodings[rng.Next(RawEncodings.Length)]);
        if (rng.NextDouble() < 0.02) parts.Add("&&=&");
        if (parts.Count == 0) return rng.NextDouble() < 0.05 ? "?" : "";
        return "?" + string.Join('&', parts);
    }

    private string Pair(string name, string value)
    {
        if (rng.NextDouble() < hostility / 8) return Escape(name) + "=" + RawEncodings[rng.Next(RawEncodings.Length)]; // broken or evil percent-encoding
        return Escape(name) + "=" + Escape(value);
    }

    private static string Escape(string s)
    {
        // Uri.EscapeDataString refuses lone surrogates; write their (invalid) UTF-8 bytes by hand then.
        try { return Uri.EscapeDataString(s); }
        catch (UriFormatException) { return string.Concat(Encoding.UTF8.GetBytes(s).Select(b => $"%{b:X2}")); }
    }

    private string Value(string parameter)
    {
        var roll = rng.NextDouble() / hostility;
        if (roll < 0.75) return Hostile[rng.Next(Hostile.Length)];
        if (roll < 0.85) return LongString();
        if (roll < 1) return RandomUnicode(rng.Next(1, 40));
        var inv = CultureInfo.InvariantCulture;
        return parameter.ToLowerInvariant() switch
        {
            "q" or "from_q" or "to_q" => Words[rng.Next(Words.Length)],
            "bbox" when Strict => Pick(facts.ValidBbox, "-180,-90,180,90", "-200,-100,200,100"),
            "bbox" => Pick(facts.ValidBbox, facts.ValidBbox + ",urn:ogc:def:crs:EPSG::4326", "-180,-90,180,90", RandomBox(), "-200,-100,200,100", "10,10,0,0"),
            "bbox-crs" => Pick("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "EPSG:3857", "http://www.opengis.net/def/crs/EPSG/0/4326"),
            "datetime" when Strict => Pick(facts.ValidInterval, "../2015-01-01", "2012-07-31", "2010-01-01T00:00:00Z/.."),
            "datetime" => Pick(facts.ValidInterval, "../2015-01-01", "2012-07-31", "2012-07-31T00:00:00Z", "2010-01-01T00:00:00Z/..", "2019-01-01/2009-01-01"),
            "from" => Pick("2009-08-18", "2010-01-01", "2012-07-31"),
            "to" => Pick("2020-08-31", "2018-01-01", "2030-01-01"),
            "limit" or "count" or "maxfeatures" => (Strict ? rng.Next(1, 200) : rng.Next(-5, 2000)).ToString(inv),
            "offset" or "startindex" => (Strict ? rng.Next(0, 150) : rng.Next(-5, 500)).ToString(inv),
            "min_score" => (Strict ? rng.NextDouble() * 2 - 1 : rng.NextDouble() * 4 - 2).ToString("R", inv),
            "iou" => (rng.NextDouble() * 2 - 0.5).ToString("R", inv),
            "not" => Pick(Words[rng.Next(Words.Length)], "clouds,haze", ",,", "clouds,", " "),
            "min_relevance" => (rng.NextDouble() * 2 - 0.5).ToString("R", inv),
            "group" => Pick("chip", "place", "places", "PLACE"),
            "model" when Strict => facts.Model,
            "model" => Pick(facts.Model, "rsgeo-mini", "../" + facts.Model, facts.Model.ToUpperInvariant()),
            "like" or "unlike" when Strict => facts.ChipIds[rng.Next(facts.ChipIds.Count)].ToString(inv),
            "like" or "unlike" or "resourceid" => string.Join(',', Enumerable.Range(0, rng.Next(1, 4)).Select(_ => parameter == "resourceid" ? Pick("chips.", "scenes.", "") + Id(facts.ChipIds) : Id(facts.ChipIds))),
            "size" => (Strict ? rng.Next(16, 1025) : rng.Next(-10, 3000)).ToString(inv),
            "f" => Pick("json", "html", "xml", "JSON", "geojson"),
            "normalise" => Pick("none", "place", "yes"),
            "pairs" => Pick("grid", "overlap", "all"),
            "service" => Pick("WFS", "wfs"),
            "request" => Pick("GetFeature", "GetCapabilities", "DescribeFeatureType"),
            "version" or "acceptversions" => Pick("2.0.0", "1.1.0"),
            "typenames" or "typename" => Pick("rsgeo:chips", "rsgeo:scenes", "(rsgeo:chips)", "{http://x}chips"),
            "outputformat" => Pick("application/json", "application/gml+xml; version=3.2", "text/csv", "GML32"),
            "srsname" => Pick("urn:ogc:def:crs:EPSG::4326", "EPSG:4326", "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "EPSG:3857"),
            "resulttype" => Pick("hits", "results", "count"),
            "filter" => Pick(
                "<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\"><fes:ResourceId rid=\"chips.1\"/></fes:Filter>",
                "<!DOCTYPE f [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\"><fes:ResourceId rid=\"&x;\"/></fes:Filter>",
                "<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]><f>&d;&d;&d;&d;</f>",
                "<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\" xmlns:gml=\"http://www.opengis.net/gml/3.2\"><fes:BBOX><fes:ValueReference>footprint</fes:ValueReference><gml:Envelope srsName=\"urn:ogc:def:crs:EPSG::4326\"><gml:lowerCorner>40 -100</gml:lowerCorner><gml:upperCorner>50 -90</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>",
                "<Filter><And><PropertyIsEqualTo/></And></Filter>", "<unclosed", "<?xml version=\"1.0\"?>"),
            _ => Hostile[rng.Next(Hostile.Length)],
        };
    }

    private Func<HttpContent?> UploadBody(string endpoint)
    {
        var kind = rng.Next(10);
        var png = facts.Png;
        var garbage = new byte[rng.Next(0, 4000)];
        rng.NextBytes(garbage);
        var fields = new List<(string, string)>();
        if (endpoint == "/classify") for (var i = rng.Next(0, 4); i > 0; i--) fields.Add((Pick("labels", "labels", "label", "LABELS"), Value("q")));
        if (endpoint == "/classify" && rng.NextDouble() < 0.3) fields.Add(("template", Pick("a satellite photo of {}.", "no placeholder", "{}{}{}", Hostile[rng.Next(Hostile.Length)])));
        if (endpoint == "/similarity") for (var i = rng.Next(0, 4); i > 0; i--) fields.Add((Pick("texts", "texts", "text"), Value("q")));
        if (rng.NextDouble() < 0.2) fields.Add(("model", Value("model")));
        var fileName = Pick("chip.png", "../../etc/passwd", "a%00b.png", "😀.png", new string('x', 5000), " .png");
        var imageField = Pick("image", "image", "image", "file", "IMAGE");
        return kind switch
        {
            0 => () => new StringContent("{\"image\": \"aGVsbG8=\"}", Encoding.UTF8, "application/json"),
            1 => () => new FormUrlEncodedContent([new("image", "x"), new("labels", "farmland")]),
            2 => () => new ByteArrayContent(garbage),
            3 => () => null,
            8 => () =>
            {
                // Hand-written multipart: a file name with NUL, CR/LF and traversal that HttpClient would refuse to send.
                var b = new MemoryStream();
                void W(string text) => b.Write(Encoding.UTF8.GetBytes(text));
                W("--fz\r\nContent-Disposition: form-data; name=\"image\"; filename=\"../../a\0b\r\n.png\"\r\nContent-Type: image/png\r\n\r\n");
                b.Write(png);
                W("\r\n--fz\r\nContent-Disposition: form-data; name=\"labels\"\r\n\r\nfarmland,forest\r\n");
                W("--fz\r\nContent-Disposition: form-data; name=\"texts\"\r\n\r\na river\r\n--fz--\r\n");
                var content = new ByteArrayContent(rng.NextDouble() < 0.3 ? b.ToArray()[..(int)(b.Length / 2)] : b.ToArray()); // sometimes cut short
                content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=fz");
                return content;
            },
            _ => () =>
            {
                var form = new MultipartFormDataContent();
                byte[] bytes = kind switch { 4 => garbage, 5 => [], 6 => png.AsSpan(0, Math.Min(png.Length, 60)).ToArray(), _ => png };
                if (kind != 9 || rng.NextDouble() < 0.5) form.Add(new ByteArrayContent(bytes), imageField, fileName);
                foreach (var (n, v) in fields) form.Add(new StringContent(v), n);
                return form;
            },
        };
    }

    private string Id(IReadOnlyList<long> valid) => rng.NextDouble() > hostility
        ? valid[rng.Next(valid.Count)].ToString(CultureInfo.InvariantCulture)
        : Pick("0", "-1", "9223372036854775807", "9223372036854775808", "1.0", "1e3", "abc", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "..", "1%00", "1;DROP TABLE chips",
            "%20", "1,2", Escape(RandomUnicode(3)), Escape(Hostile[rng.Next(Hostile.Length)]));

    private string Collection() => rng.NextDouble() > hostility ? Pick("chips", "chips", "scenes") : Pick("chips", "scenes", "changes", "CHIPS", "..", "%2e%2e", "chips%00", Escape(Hostile[rng.Next(Hostile.Length)]));

    private string RandomBox()
    {
        double R() => rng.NextDouble() switch { < 0.1 => double.NaN, < 0.2 => 1e300 * (rng.Next(2) * 2 - 1), _ => rng.NextDouble() * 400 - 200 };
        return string.Join(',', Enumerable.Range(0, Pick(3, 4, 4, 4, 5, 6)).Select(_ => R().ToString("R", CultureInfo.InvariantCulture)));
    }

    private string LongString() => Pick(new string('a', 1001), new string('\'', 5000), string.Concat(Enumerable.Repeat("farmland ", 3000)), new string('9', 400), string.Concat(Enumerable.Repeat("😀", 2000)));

    private string RandomUnicode(int length)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var c = rng.Next(0, 7) switch
            {
                0 => rng.Next(0x0000, 0x0020), 1 => rng.Next(0x0590, 0x0700), 2 => rng.Next(0x0300, 0x0370), 3 => rng.Next(0x1F300, 0x1F650),
                4 => rng.Next(0x4E00, 0x4F00), 5 => rng.Next(0xD800, 0xE000), _ => rng.Next(0x20, 0x7F),
            };
            if (c is >= 0xD800 and < 0xE000) sb.Append((char)c); // a lone surrogate
            else sb.Append(char.ConvertFromUtf32(c));
        }
        return sb.ToString();
    }

    private string RandomCase(string s) => string.Concat(s.Select(c => rng.Next(2) == 0 ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));

    private T Pick<T>(params T[] options) => options[rng.Next(options.Length)];
}
