using System.Globalization;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RsGeoSearch.Inference.Onnx;

/// <summary>A graph input or output: name, element type and shape (-1 for a dynamic dimension).</summary>
public sealed record TensorInfo(string Name, TensorElementType ElementType, long[] Shape, bool IsTensor = true)
{
    public override string ToString() =>
        IsTensor ? $"{Name}: {TypeName(ElementType)}[{string.Join(", ", Shape.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture)))}]" : $"{Name}: (not a tensor)";

    private static string TypeName(TensorElementType t) => t switch
    {
        TensorElementType.Float => "float",
        TensorElementType.Int64 => "int64",
        TensorElementType.Float16 => "float16",
        _ => t.ToString().ToLowerInvariant(),
    };
}
