namespace RsGeoSearch.Inference.Text;

/// <summary>
/// Turns text into token ids for a text encoder. <see cref="TokenIds"/> gives the ids with the model's
/// special tokens, neither truncated nor padded; <see cref="Encode"/> gives exactly
/// <see cref="ContextLength"/> ids: truncated so the last kept id is the end token, then padded with <see cref="PadId"/>.
/// </summary>
public abstract class Tokenizer
{
    protected Tokenizer(int contextLength, int padId, int endId)
    {
        if (contextLength < 2) throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, "context length must be at least 2");
        ContextLength = contextLength;
        PadId = padId;
        EndId = endId;
    }

    public int ContextLength { get; }
    public int PadId { get; }
    public int EndId { get; }

    /// <summary>The size of the vocabulary (ids are below it).</summary>
    public abstract int VocabularySize { get; }

    /// <summary>Ids with special tokens (start/end as the model wants), not truncated or padded.</summary>
    public abstract int[] TokenIds(string text);

    public EncodedText Encode(string text)
    {
        var ids = TokenIds(text);
        var n = Math.Min(ids.Length, ContextLength);
        var result = new long[ContextLength];
        var mask = new long[ContextLength];
        for (var i = 0; i < n; i++) { result[i] = ids[i]; mask[i] = 1; }
        if (ids.Length > ContextLength) result[n - 1] = EndId;
        for (var i = n; i < ContextLength; i++) result[i] = PadId;
        return new EncodedText(result, mask);
    }
}
