namespace RsGeoSearch.Inference.Onnx;

/// <summary>A graph input or output: name, element type and shape (-1 for a dynamic dimension).</summary>
public sealed record TensorInfo(string Name, TensorElementType ElementType, long[] Shape, bool IsTensor = true)
{
    public override string ToString() =>
        IsTensor ? $"{Name}: {ElementType.ToString().ToLowerInvariant()}[{string.Join(", ", Shape.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]" : $"{Name}: (not a tensor)";
}
