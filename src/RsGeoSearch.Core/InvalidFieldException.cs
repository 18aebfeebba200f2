namespace RsGeoSearch.Core;

/// <summary>
/// A request field whose value breaks a rule of <see cref="CatalogQuery"/>, <see cref="ChangeQuery"/>,
/// <see cref="BoundingBox"/> or <see cref="TimeRange"/>. <see cref="Field"/> is the field's name in the JSON API
/// (q, limit, unlike, ...); the HTTP and WFS readers name their own parameter for it, the CLI prints the message.
/// </summary>
public sealed class InvalidFieldException(string field, string message) : InputException(message)
{
    public string Field { get; } = field;
}
