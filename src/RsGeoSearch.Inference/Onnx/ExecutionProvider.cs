namespace RsGeoSearch.Inference.Onnx;

/// <summary>Where a session runs: <see cref="Auto"/> takes CUDA when the loaded library can run it, else the CPU.</summary>
public enum ExecutionProvider
{
    Cpu,
    Cuda,
    Auto,
}
