namespace RsGeoSearch.Core;

/// <summary>
/// A change query's area and time range hold no imagery, or imagery of a single date: nothing to compare. An
/// <see cref="InputException"/> (400 at /changes, a clear CLI error); a browsing client (OGC collection) may show
/// an empty result instead.
/// </summary>
public sealed class InsufficientImageryException(string message) : InputException(message);
