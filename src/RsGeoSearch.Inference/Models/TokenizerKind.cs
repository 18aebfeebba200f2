namespace RsGeoSearch.Inference.Models;

/// <summary>Tokenizer kinds a manifest may name.</summary>
public enum TokenizerKind
{
    WordPiece,
    ClipBpe,
    SentencePieceUnigram,
}
