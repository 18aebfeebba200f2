namespace RsGeoSearch.Inference.Models;

/// <summary>Whether a model folder found on the search path can be used.</summary>
public enum ModelStatus
{
    Ready,
    /// <summary>The manifest is valid but its ONNX graphs are not there yet (bring or export them).</summary>
    NotExported,
    /// <summary>The manifest is missing or malformed, or a tokenizer file is missing.</summary>
    Invalid,
}
