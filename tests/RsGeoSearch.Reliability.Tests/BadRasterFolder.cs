using System.Buffers.Binary;
using System.Diagnostics;
using RsGeoSearch.Core;

namespace RsGeoSearch.Reliability.Tests;

/// <summary>
/// A temporary folder of bad rasters (each with the words its failure message must contain) among a few good ones
/// (copies and GDAL-made variants of small shared rasters, each with distinct content). Made with gdal_create,
/// gdal_translate and hand-written bytes; disposing deletes it.
/// </summary>
internal sealed class BadRasterFolder : IDisposable
{
    private BadRasterFolder(string root) => Root = root;

    public string Root { get; }

    /// <summary>File name → words the failure message must contain (case-insensitive).</summary>
    public Dictionary<string, string> Bad { get; } = new(StringComparer.Ordinal);

    /// <summary>Files that must be ingested with at least one chip (relative paths; one lies inside a folder named like a raster).</summary>
    public List<string> Good { get; } = [];

    /// <summary>A file with mode 000; null when it could not be made. Under root it stays readable, so it is good, not bad.</summary>
    public string? Unreadable { get; private set; }

    public bool UnreadableIsReadable { get; private set; }

    public string PathOf(string name) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, name));

    public static BadRasterFolder Create()
    {
        var f = new BadRasterFolder(Directory.CreateTempSubdirectory("rsgeo-badrasters-").FullName);
        f.Build();
        return f;
    }

    private void Build()
    {
        var rasters = SharedData.Path("rasters");
        var colorado = Directory.GetFiles(System.IO.Path.Combine(rasters, "aerial-colorado"), "*.tif").Single();
        var rapideye = Directory.GetFiles(System.IO.Path.Combine(rasters, "rapideye-sanfrancisco"), "*.tif").Single();
        var bahamas = System.IO.Path.Combine(rasters, "landsat7-bahamas", "RGB.byte.tif");
        var jp2 = Directory.GetFiles(System.IO.Path.Combine(rasters, "sentinel2-ireland"), "*.jp2").Single();
        var jpeg = Directory.EnumerateFiles(SharedData.Path("scenes", "aid", "Airport"), "*.jpg").Order(StringComparer.Ordinal).First();

        // Good ones: distinct content each (a copy of the same bytes would be skipped as already ingested).
        Copy(colorado, "good-colorado.tif"); Good.Add("good-colorado.tif");
        Copy(rapideye, "good-rapideye.tif"); Good.Add("good-rapideye.tif");
        Gdal("gdal_translate", "-q", "-of", "PNG", "-co", "WORLDFILE=YES", "-srcwin", "0", "0", "383", "200", colorado, PathOf("good-worldfile.png"));
        Good.Add("good-worldfile.png");
        Gdal("gdal_translate", "-q", "-srcwin", "40", "0", "300", "232", colorado, PathOf("good ünïcødé 名前.tif"));
        Good.Add("good ünïcødé 名前.tif");
        Directory.CreateDirectory(PathOf("folder.tif")); // a directory named like a raster is searched as a folder
        Gdal("gdal_translate", "-q", "-srcwin", "80", "10", "300", "200", colorado, PathOf(System.IO.Path.Combine("folder.tif", "inner.tif")));
        Good.Add(System.IO.Path.Combine("folder.tif", "inner.tif"));

        // Bad ones.
        Write("zero-bytes.tif", []); Bad["zero-bytes.tif"] = "cannot open";
        Write("zero-bytes.jp2", []); Bad["zero-bytes.jp2"] = "cannot open";
        Write("truncated.tif", File.ReadAllBytes(bahamas).AsSpan(0, 100_000).ToArray()); Bad["truncated.tif"] = "cannot open";
        Write("header-only.tif", "II*\0"u8.ToArray()); Bad["header-only.tif"] = "cannot open";
        Copy(jpeg, "jpeg-named.tif"); Bad["jpeg-named.tif"] = "no georeferencing";
        Write("text.tif", "this is not a raster\n"u8.ToArray()); Bad["text.tif"] = "cannot open";
        Write("html.jp2", "<!DOCTYPE html><html><body>404 Not Found</body></html>"u8.ToArray()); Bad["html.jp2"] = "cannot open";
        Copy(System.IO.Path.Combine(rasters, "spacenet-atlanta", "building_footprints.geojson"), "vector.tif"); Bad["vector.tif"] = "cannot open";
        var garbage = new byte[20_000];
        new Random(11).NextBytes(garbage);
        Write("garbage.tif", garbage); Bad["garbage.tif"] = "cannot open";
        Write("garbage ‮fdp.exe ünï 名前.tif", garbage.AsSpan(0, 5000).ToArray()); Bad["garbage ‮fdp.exe ünï 名前.tif"] = "cannot open";
        Gdal("gdal_translate", "-q", "-of", "PNG", "-srcwin", "0", "0", "383", "150", colorado, PathOf("no-georeferencing.png"));
        File.Delete(PathOf("no-georeferencing.png.aux.xml"));
        Bad["no-georeferencing.png"] = "no georeferencing";
        Gdal("gdal_create", "-q", "-of", "GTiff", "-outsize", "1", "1", "-bands", "3", "-burn", "90", "-a_srs", "EPSG:4326", "-a_ullr", "10", "50", "10.001", "49.999", PathOf("one-pixel.tif"));
        Bad["one-pixel.tif"] = "1x1 pixels";
        Gdal("gdal_create", "-q", "-of", "GTiff", "-outsize", "4000", "2", "-bands", "3", "-burn", "90", "-a_srs", "EPSG:4326", "-a_ullr", "10", "50", "10.4", "49.9998", PathOf("strip.tif"));
        Bad["strip.tif"] = "padding";
        Write("absurd-size.tif", Tiff(1_000_000, 1_000_000, samples: 3, georeferenced: true)); Bad["absurd-size.tif"] = "reading pixels";
        Write("zero-samples.tif", Tiff(500, 500, samples: 0, georeferenced: true)); Bad["zero-samples.tif"] = "cannot open";
        Write("corrupt.jp2", File.ReadAllBytes(jp2).AsSpan(0, 1_000_000).ToArray()); Bad["corrupt.jp2"] = "reading pixels";
        Write("corrupt-header.jp2", File.ReadAllBytes(jp2).AsSpan(0, 300).ToArray()); Bad["corrupt-header.jp2"] = "cannot open";
        File.CreateSymbolicLink(PathOf("broken-link.tif"), "/nonexistent/rsgeo/file.tif"); Bad["broken-link.tif"] = "cannot open";
        Gdal("gdal_create", "-q", "-of", "GTiff", "-outsize", "300", "300", "-bands", "1", "-burn", "1", PathOf("palette-src.tif"));
        Write("palette.vrt", System.Text.Encoding.UTF8.GetBytes("""
            <VRTDataset rasterXSize="300" rasterYSize="300">
              <SRS>EPSG:4326</SRS>
              <GeoTransform>10, 0.001, 0, 50, 0, -0.001</GeoTransform>
              <VRTRasterBand dataType="Byte" band="1">
                <ColorInterp>Palette</ColorInterp>
                <ColorTable><Entry c1="0" c2="0" c3="0" c4="255"/><Entry c1="255" c2="0" c3="0" c4="255"/></ColorTable>
                <SimpleSource><SourceFilename relativeToVRT="1">palette-src.tif</SourceFilename><SourceBand>1</SourceBand></SimpleSource>
              </VRTRasterBand>
            </VRTDataset>
            """));
        Gdal("gdal_translate", "-q", PathOf("palette.vrt"), PathOf("palette.tif"));
        File.Delete(PathOf("palette.vrt"));
        File.Move(PathOf("palette-src.tif"), PathOf("palette-src.bin")); // not a raster extension: not picked up
        Bad["palette.tif"] = "palette";
        Gdal("gdal_translate", "-q", "-ot", "CFloat32", "-srcwin", "0", "0", "256", "200", colorado, PathOf("complex.tif"));
        Bad["complex.tif"] = "CFloat32";
        Write("zero-bands.vrt", System.Text.Encoding.UTF8.GetBytes("""
            <VRTDataset rasterXSize="300" rasterYSize="300"><SRS>EPSG:4326</SRS><GeoTransform>10, 0.001, 0, 50, 0, -0.001</GeoTransform></VRTDataset>
            """));
        Bad["zero-bands.vrt"] = "cannot open";
        Write("missing-source.vrt", System.Text.Encoding.UTF8.GetBytes("""
            <VRTDataset rasterXSize="600" rasterYSize="600"><SRS>EPSG:4326</SRS><GeoTransform>10, 0.001, 0, 50, 0, -0.001</GeoTransform>
              <VRTRasterBand dataType="Byte" band="1"><SimpleSource><SourceFilename relativeToVRT="1">does-not-exist.tif</SourceFilename><SourceBand>1</SourceBand></SimpleSource></VRTRasterBand>
            </VRTDataset>
            """));
        Bad["missing-source.vrt"] = "does-not-exist.tif";
        Gdal("gdal_create", "-q", "-of", "GTiff", "-outsize", "300", "300", "-bands", "3", "-burn", "100", "-a_srs", "EPSG:4326", "-a_ullr", "500", "100", "500.3", "99.7", PathOf("outside-world.tif"));
        Bad["outside-world.tif"] = "outside the world";
        Gdal("gdal_create", "-q", "-of", "GTiff", "-outsize", "300", "300", "-bands", "3", "-burn", "100", "-a_srs", "EPSG:4326", "-a_ullr", "10", "50", "10", "50", PathOf("zero-pixel-size.tif"));
        Bad["zero-pixel-size.tif"] = "degenerate geotransform";
        Gdal("gdal_create", "-q", "-of", "GTiff", "-outsize", "300", "300", "-bands", "3", "-burn", "100", "-a_srs", "EPSG:32633", "-a_ullr", "1e15", "1e15", "1.1e15", "0.9e15", PathOf("absurd-coordinates.tif"));
        Bad["absurd-coordinates.tif"] = "could not be transformed";
        Gdal("gdal_create", "-q", "-of", "GTiff", "-outsize", "300", "300", "-bands", "1", "-ot", "Float32", "-burn", "0", "-a_nodata", "0", "-a_srs", "EPSG:4326", "-a_ullr", "10", "50", "10.3", "49.7", PathOf("all-nodata.tif"));
        Bad["all-nodata.tif"] = "value range";

        // chmod 000: a permission failure for ordinary users; root reads it anyway, so then it must be ingested.
        Gdal("gdal_translate", "-q", "-srcwin", "0", "30", "383", "202", colorado, PathOf("unreadable.tif"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(PathOf("unreadable.tif"), UnixFileMode.None);
            Unreadable = "unreadable.tif";
            try { using var _ = File.OpenRead(PathOf("unreadable.tif")); UnreadableIsReadable = true; }
            catch (UnauthorizedAccessException) { UnreadableIsReadable = false; }
            if (UnreadableIsReadable) Good.Add("unreadable.tif"); else Bad["unreadable.tif"] = "cannot open";
        }
    }

    private void Copy(string from, string name)
    {
        File.Copy(from, PathOf(name));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(PathOf(name), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    private void Write(string name, byte[] bytes) => File.WriteAllBytes(PathOf(name), bytes);

    private static void Gdal(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {err.Result}");
    }

    /// <summary>
    /// A little-endian classic TIFF header declaring <paramref name="width"/> x <paramref name="height"/> 8-bit pixels
    /// (one strip at offset 4096 of 4 GB) with GeoTIFF tags for EPSG:4326 at 10 E 50 N, and no pixel data at all.
    /// </summary>
    public static byte[] Tiff(int width, int height, int samples, bool georeferenced)
    {
        var tags = new List<(ushort Tag, ushort Type, uint Count, uint Value, byte[]? Data)>
        {
            (256, 4, 1, (uint)width, null), (257, 4, 1, (uint)height, null), (258, 3, 1, 8, null), (259, 3, 1, 1, null),
            (262, 3, 1, samples == 3 ? 2u : 1u, null), (273, 4, 1, 4096, null), (277, 3, 1, (uint)samples, null),
            (278, 4, 1, (uint)height, null), (279, 4, 1, 4_000_000_000, null),
        };
        if (georeferenced)
        {
            tags.Add((33550, 12, 3, 0, Doubles(0.0001, 0.0001, 0)));
            tags.Add((33922, 12, 6, 0, Doubles(0, 0, 0, 10, 50, 0)));
            tags.Add((34735, 3, 16, 0, Shorts(1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326)));
        }
        tags.Sort((a, b) => a.Tag.CompareTo(b.Tag));
        var dataOffset = 8 + 2 + 12 * tags.Count + 4;
        var blobs = new List<byte>();
        var ifd = new List<byte>();
        void U16(List<byte> l, int v) { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); l.AddRange(b); }
        void U32(List<byte> l, uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); l.AddRange(b); }
        U16(ifd, tags.Count);
        foreach (var (tag, type, count, value, data) in tags)
        {
            U16(ifd, tag); U16(ifd, type); U32(ifd, count);
            if (data is not null) { U32(ifd, (uint)(dataOffset + blobs.Count)); blobs.AddRange(data); }
            else if (type == 3) { U16(ifd, (int)value); U16(ifd, 0); }
            else U32(ifd, value);
        }
        U32(ifd, 0);
        var header = new List<byte> { (byte)'I', (byte)'I', 42, 0 };
        U32(header, 8);
        return [.. header, .. ifd, .. blobs];
    }

    private static byte[] Doubles(params double[] v)
    {
        var b = new byte[v.Length * 8];
        for (var i = 0; i < v.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(i * 8), v[i]);
        return b;
    }

    private static byte[] Shorts(params ushort[] v)
    {
        var b = new byte[v.Length * 2];
        for (var i = 0; i < v.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(i * 2), v[i]);
        return b;
    }

    public void Dispose()
    {
        try
        {
            if (!OperatingSystem.IsWindows() && Unreadable is not null && File.Exists(PathOf(Unreadable))) File.SetUnixFileMode(PathOf(Unreadable), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a leftover temp folder must not fail the run
        }
    }
}
