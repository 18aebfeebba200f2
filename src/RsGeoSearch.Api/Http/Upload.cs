using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace RsGeoSearch.Api.Http;

/// <summary>
/// Reads a multipart/form-data upload: one image file (field "image") and text fields, within the size cap.
/// The image is kept in memory only (the catalogue decodes it with GDAL from /vsimem/); nothing touches the file system.
/// Oversized → 413; not multipart, no image, or bytes that are no known raster format → 400.
/// </summary>
internal sealed record Upload(byte[] Image, IFormCollection Form)
{
    private const long FormOverhead = 1024 * 1024; // room for text fields and multipart boundaries

    public static async Task<Upload> ReadAsync(HttpRequest request, long maxImageBytes, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (request.ContentLength is { } length && length > maxImageBytes + FormOverhead)
            throw TooLarge(maxImageBytes);
        if (!request.HasFormContentType || !(request.ContentType ?? "").StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new ParameterException("image", "send the image as multipart/form-data with a file field named 'image'");
        IFormCollection form;
        try
        {
            var options = new FormOptions
            {
                MultipartBodyLengthLimit = maxImageBytes + FormOverhead,
                ValueLengthLimit = 64 * 1024,
                ValueCountLimit = 1024,
                MemoryBufferThreshold = (int)Math.Min(int.MaxValue, maxImageBytes + FormOverhead),
            };
            form = await new FormFeature(request, options).ReadFormAsync(ct);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) && e.Message.Contains("length", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge(maxImageBytes);
        }
        catch (InvalidDataException)
        {
            throw new ParameterException("image", "the multipart/form-data body is malformed");
        }
        catch (IOException) when (!ct.IsCancellationRequested)
        {
            throw new ParameterException("image", "the multipart/form-data body ended early");
        }

        var file = form.Files.GetFile("image") ?? (form.Files.Count == 1 ? form.Files[0] : null);
        if (file is null) throw new ParameterException("image", "no image: send a file field named 'image'");
        if (file.Length > maxImageBytes) throw TooLarge(maxImageBytes);
        if (file.Length == 0) throw new ParameterException("image", "the uploaded image is empty");
        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
            await stream.ReadExactlyAsync(bytes, ct);
        if (!ImageSniffer.IsImage(bytes))
            throw new ParameterException("image", $"'{Shorten(file.FileName)}' is not an image; send PNG, JPEG, TIFF/GeoTIFF, JPEG 2000, GIF, BMP or WebP");
        return new Upload(bytes, form);
    }

    /// <summary>Every value of a text field, one entry per field; with <paramref name="splitCommas"/> each value is also split on commas and new lines.</summary>
    public IReadOnlyList<string> Texts(string name, bool splitCommas)
    {
        var separators = splitCommas ? new[] { ',', '\n', '\r' } : ['\n', '\r'];
        return Form[name]
            .SelectMany(v => (v ?? "").Split(separators, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();
    }

    public string? Text(string name)
    {
        var values = Form[name];
        if (values.Count > 1) throw new ParameterException(name, $"field '{name}' is given {values.Count} times; give it once");
        var v = values.Count == 1 ? values[0]?.Trim() : null;
        return string.IsNullOrEmpty(v) ? null : v;
    }

    private static HttpProblemException TooLarge(long max) =>
        new(413, "Payload too large", $"the upload is larger than the limit of {max / (1024.0 * 1024.0):0.#} MB");

    private static string Shorten(string name) => name.Length <= 80 ? name : name[..80] + "…";
}
