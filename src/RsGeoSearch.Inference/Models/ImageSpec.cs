namespace RsGeoSearch.Inference.Models;

/// <summary>The manifest's image section: the image graph, its input/output names and preprocessing.</summary>
public sealed record ImageSpec(string Onnx, string Input, string Output, ImagePreprocessing Preprocessing);
