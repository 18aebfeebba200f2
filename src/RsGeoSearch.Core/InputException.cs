namespace RsGeoSearch.Core;

/// <summary>Bad input from a user (a parameter, a file, a request): the message says what is wrong and how to fix it.</summary>
public class InputException : Exception
{
    public InputException(string message) : base(message) { }
    public InputException(string message, Exception inner) : base(message, inner) { }
}
