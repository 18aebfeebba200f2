namespace RsGeoSearch.Inference.Models;

/// <summary>The manifest's text section: the text graph, its input/output names, context length and tokenizer.</summary>
public sealed record TextSpec(string Onnx, string InputIds, string? AttentionMask, string Output, int ContextLength, TokenizerSpec Tokenizer);
