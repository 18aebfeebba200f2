using RsGeoSearch.Core;

namespace RsGeoSearch.Api.Wfs;

/// <summary>A WFS request error with its OWS exception code (MissingParameterValue, OperationNotSupported, NotFound ...), locator and HTTP status.</summary>
internal sealed class OwsException(string code, string? locator, string message, int status = 400) : InputException(message)
{
    public string Code { get; } = code;
    public string? Locator { get; } = locator;
    public int Status { get; } = status;
}
