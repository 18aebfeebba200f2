using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Http;

/// <summary>A bad query parameter or form field; <see cref="Parameter"/> names it in the problem document.</summary>
internal sealed class ParameterException(string parameter, string message) : InputException(message)
{
    public string Parameter { get; } = parameter;
}
