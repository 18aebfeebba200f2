namespace RsGeoSearch.Core;

/// <summary>
/// Bad input from a user (a parameter, a file, a request): the message says what is wrong and how to fix it.
/// <see cref="Field"/> names the request field whose value broke a rule of <see cref="CatalogQuery"/>,
/// <see cref="ChangeQuery"/>, <see cref="BoundingBox"/> or <see cref="TimeRange"/>, as the JSON API calls it (q,
/// limit, unlike, ...); the HTTP and WFS readers name their own parameter for it, the CLI prints the message.
/// </summary>
public class InputException : Exception
{
    public InputException(string message) : base(message) { }
    public InputException(string message, Exception inner) : base(message, inner) { }

    /// <summary>A value of <paramref name="field"/> breaks a rule.</summary>
    public InputException(string field, string message) : base(message) => Field = field;

    public string? Field { get; }
}
