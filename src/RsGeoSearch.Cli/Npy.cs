using System.Text;

namespace RsGeoSearch.Cli;

/// <summary>Writes NumPy .npy files (format 1.0, little-endian float32, C order).</summary>
internal static class Npy
{
    public static byte[] Float32Matrix(IReadOnlyList<float[]> rows)
    {
        var cols = rows.Count == 0 ? 0 : rows[0].Length;
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows.Count}, {cols}), }}";
        var total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        using var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        foreach (var row in rows)
        {
            if (row.Length != cols) throw new ArgumentException("rows differ in length");
            foreach (var v in row) stream.Write(BitConverter.GetBytes(v));
        }
        return stream.ToArray();
    }
}
