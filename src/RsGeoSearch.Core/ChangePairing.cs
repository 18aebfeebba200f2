namespace RsGeoSearch.Core;

/// <summary>Which two acquisitions of a place a change compares.</summary>
public enum ChangePairing
{
    /// <summary>The place's first and last acquisition inside the time range: one pair per place.</summary>
    Span,

    /// <summary>Every two successive acquisitions of the place inside the time range.</summary>
    Consecutive,
}
