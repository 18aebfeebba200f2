using Microsoft.ML.OnnxRuntime.Tensors;

namespace RsGeoSearch.Inference.Onnx;

/// <summary>A named input for <see cref="OnnxSession.Run"/>: float32 or int64 data in row-major order and its shape.</summary>
public sealed class InputTensor
{
    private InputTensor(string name, TensorElementType type, long[] shape, Memory<float> floats, Memory<long> longs)
    {
        var count = shape.Aggregate(1L, (a, d) => d < 0 ? throw new ArgumentException($"input '{name}': negative dimension {d}") : a * d);
        var length = type == TensorElementType.Float ? floats.Length : longs.Length;
        if (count != length)
            throw new ArgumentException($"input '{name}': shape [{string.Join(", ", shape)}] holds {count} elements, data has {length}");
        Name = name;
        ElementType = type;
        Shape = shape;
        Floats = floats;
        Longs = longs;
    }

    public string Name { get; }
    public TensorElementType ElementType { get; }
    public long[] Shape { get; }
    internal Memory<float> Floats { get; }
    internal Memory<long> Longs { get; }

    public static InputTensor Float(string name, Memory<float> data, params long[] shape) =>
        new(name, TensorElementType.Float, shape, data, Memory<long>.Empty);

    public static InputTensor Int64(string name, Memory<long> data, params long[] shape) =>
        new(name, TensorElementType.Int64, shape, Memory<float>.Empty, data);
}
