namespace RsGeoSearch.Inference.Models;

/// <summary>The manifest's text.tokenizer: kind, files (role → file name in the model folder) and options.</summary>
public sealed record TokenizerSpec(
    TokenizerKind Kind,
    IReadOnlyDictionary<string, string> Files,
    bool Lowercase,
    bool SigLipCanonicalize,
    bool AddEos,
    int? PadId,
    int? EosId);
