using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Wfs;

/// <summary>A WFS request error with its OWS exception code (MissingParameterValue, OperationNotSupported ...) and locator.</summary>
internal sealed class OwsException(string code, string? locator, string message) : InputException(message)
{
    public string Code { get; } = code;
    public string? Locator { get; } = locator;
}
