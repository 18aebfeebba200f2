namespace RsGeoSearch.Core;

/// <summary>A named thing (a chip, a scene, a model) does not exist.</summary>
public sealed class NotFoundException : Exception
{
    public NotFoundException(string message) : base(message) { }
}
