namespace RsGeoSearch.Api.Features;

/// <summary>A web link as OGC APIs write it: href, rel, type, title.</summary>
internal sealed record Link(string Href, string Rel, string Type, string? Title = null);
