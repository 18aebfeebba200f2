namespace RsGeoSearch.Store;

/// <summary>
/// The database cannot do what was asked (not running, unreachable, too old, misconfigured). The message
/// says what is wrong and what to do about it.
/// </summary>
public class StoreException : Exception
{
    public StoreException(string message) : base(message) { }
    public StoreException(string message, Exception inner) : base(message, inner) { }
}
