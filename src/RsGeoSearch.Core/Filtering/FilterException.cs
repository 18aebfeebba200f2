namespace RsGeoSearch.Core.Filtering;

/// <summary>A filter that cannot be parsed or does not fit the feature schema; <see cref="Position"/> is the 1-based character where the problem is (0 when unknown).</summary>
public sealed class FilterException(string message, int position = 0)
    : InputException(position > 0 ? $"{message} (at position {position})" : message)
{
    public int Position { get; } = position;
}
