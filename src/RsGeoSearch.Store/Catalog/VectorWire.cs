using System.Buffers.Binary;

namespace RsGeoSearch.Store;

/// <summary>pgvector's binary wire format: int16 dimension, int16 unused (0), then float4 values, big-endian.</summary>
internal static class VectorWire
{
    public static byte[] Encode(ReadOnlySpan<float> vector)
    {
        var bytes = new byte[4 + 4 * vector.Length];
        BinaryPrimitives.WriteInt16BigEndian(bytes, checked((short)vector.Length));
        for (var i = 0; i < vector.Length; i++)
            BinaryPrimitives.WriteSingleBigEndian(bytes.AsSpan(4 + 4 * i), vector[i]);
        return bytes;
    }
}
