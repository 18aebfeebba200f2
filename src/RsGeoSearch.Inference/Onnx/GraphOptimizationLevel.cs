namespace RsGeoSearch.Inference.Onnx;

/// <summary>ONNX Runtime graph optimisation level (<c>GraphOptimizationLevel</c>).</summary>
public enum GraphOptimizationLevel
{
    DisableAll = 0,
    Basic = 1,
    Extended = 2,
    All = 99,
}
