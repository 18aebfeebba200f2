using System.Buffers;
using System.Text.Json;

namespace RsGeoSearch.Api.Http;

/// <summary>Builds a JSON document with a <see cref="Utf8JsonWriter"/> into bytes.</summary>
internal static class JsonBody
{
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
            write(w);
        return buffer.WrittenSpan.ToArray();
    }
}
