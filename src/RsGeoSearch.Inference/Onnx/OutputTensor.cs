namespace RsGeoSearch.Inference.Onnx;

/// <summary>A float32 output of <see cref="OnnxSession.Run"/>, copied out of ONNX Runtime's memory.</summary>
public sealed record OutputTensor(string Name, long[] Shape, float[] Data)
{
    /// <summary>Row <paramref name="i"/> of a [batch, d] output.</summary>
    public float[] Row(int i)
    {
        if (Shape.Length != 2) throw new InvalidOperationException($"output '{Name}' has rank {Shape.Length}, not 2");
        var d = (int)Shape[1];
        return Data.AsSpan(i * d, d).ToArray();
    }
}
