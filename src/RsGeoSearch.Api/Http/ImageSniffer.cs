namespace RsGeoSearch.Api.Http;

/// <summary>Recognises raster formats GDAL decodes by their magic bytes, so that arbitrary files are refused before decoding.</summary>
internal static class ImageSniffer
{
    public static bool IsImage(ReadOnlySpan<byte> b) =>
        b.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }) // PNG
        || b.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF })                       // JPEG
        || b.StartsWith("II*\0"u8) || b.StartsWith("MM\0*"u8)      // TIFF
        || b.StartsWith("II+\0"u8) || b.StartsWith("MM\0+"u8)      // BigTIFF
        || b.StartsWith(new byte[] { 0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20 }) // JP2
        || b.StartsWith(new byte[] { 0xFF, 0x4F, 0xFF, 0x51 })                 // J2K codestream
        || b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8)
        || (b.Length > 14 && b.StartsWith("BM"u8))
        || (b.Length > 12 && b.StartsWith("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8));
}
