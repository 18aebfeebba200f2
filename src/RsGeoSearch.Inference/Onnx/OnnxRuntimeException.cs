namespace RsGeoSearch.Inference.Onnx;

/// <summary>An error reported by ONNX Runtime; the message is ORT's own (prefixed with what was being done).</summary>
public sealed class OnnxRuntimeException : Exception
{
    public OnnxRuntimeException(OrtErrorCode code, string message) : base(message) => Code = code;
    public OnnxRuntimeException(OrtErrorCode code, string message, Exception inner) : base(message, inner) => Code = code;

    public OrtErrorCode Code { get; }
}
