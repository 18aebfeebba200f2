namespace RsGeoSearch.Inference.Text;

/// <summary>One text as fixed-length token ids (truncated, end token kept, padded) and its attention mask (1 = token, 0 = pad).</summary>
public sealed record EncodedText(long[] Ids, long[] AttentionMask)
{
    /// <summary>The number of real (non-pad) tokens.</summary>
    public int Length => (int)AttentionMask.Sum();
}
