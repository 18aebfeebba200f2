using Microsoft.ML.OnnxRuntime.Tensors;
using RsGeoSearch.Core;
using RsGeoSearch.Inference.Models;
using RsGeoSearch.Inference.Onnx;

namespace RsGeoSearch.Inference;

/// <summary>
/// Chip pixels → L2-normalised embeddings. Chips arrive as RGB CHW in [0, 1] at <see cref="Preprocessing"/>.Size
/// (the Raster stage resizes them); this class applies mean/std, batches and runs the image graph. Thread-safe.
/// </summary>
public sealed class ImageEncoder : IDisposable
{
    private readonly OnnxSession _session;
    private readonly ImageSpec _spec;

    internal ImageEncoder(OnnxSession session, ImageSpec spec, int dimension)
    {
        _session = session;
        _spec = spec;
        Dimension = dimension;
        var file = Path.GetFileName(session.ModelPath);
        var input = session.Inputs.FirstOrDefault(i => i.Name == spec.Input)
            ?? throw new InputException($"{session.ModelPath}: no input '{spec.Input}' (manifest image.input); the graph has {string.Join(", ", session.Inputs)}");
        if (session.Inputs.Count != 1) throw new InputException($"{session.ModelPath}: the image graph must have one input, it has {string.Join(", ", session.Inputs)}");
        if (input.ElementType != TensorElementType.Float || input.Shape.Length != 4)
            throw new InputException($"{file}: input {input} must be float[batch, 3, size, size]");
        var size = spec.Preprocessing.Size;
        if (input.Shape[1] is not (3 or -1) || input.Shape[2] is not -1 && input.Shape[2] != size || input.Shape[3] is not -1 && input.Shape[3] != size)
            throw new InputException($"{file}: input {input} does not match the manifest's image.size {size}");
        var output = session.Outputs.FirstOrDefault(o => o.Name == spec.Output)
            ?? throw new InputException($"{session.ModelPath}: no output '{spec.Output}' (manifest image.output); the graph has {string.Join(", ", session.Outputs)}");
        if (output.Shape.Length != 2 || output.Shape[1] >= 0 && output.Shape[1] != dimension)
            throw new InputException($"{file}: output {output} is not [batch, {dimension}] (manifest embedding_dim)");
        FixedBatch = input.Shape[0] > 0 ? (int)input.Shape[0] : null;
    }

    public ImagePreprocessing Preprocessing => _spec.Preprocessing;
    public int Dimension { get; }

    /// <summary>The largest batch sent to the graph at once.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>The batch size the graph was exported with, when it is not dynamic.</summary>
    public int? FixedBatch { get; }

    /// <summary>The execution provider the session runs on.</summary>
    public ExecutionProvider Provider => _session.Provider;

    public float[] Encode(ChipImage chip) => Encode([chip])[0];

    /// <summary>Embeds every chip (in order); each result has unit length.</summary>
    public float[][] Encode(IReadOnlyList<ChipImage> chips)
    {
        var size = _spec.Preprocessing.Size;
        for (var i = 0; i < chips.Count; i++)
            if (chips[i].Width != size || chips[i].Height != size)
                throw new InputException($"chip {i} is {chips[i].Width}x{chips[i].Height}; this model wants {size}x{size} (read chips at the model's preprocessing size)");
        var result = new float[chips.Count][];
        var batch = FixedBatch ?? Math.Max(1, MaxBatchSize);
        var plane = size * size;
        var buffer = new float[batch * 3 * plane];
        for (var start = 0; start < chips.Count; start += batch)
        {
            var n = FixedBatch ?? Math.Min(batch, chips.Count - start);
            var count = Math.Min(n, chips.Count - start);
            if (FixedBatch is not null) Array.Clear(buffer);
            for (var b = 0; b < count; b++) Normalize(chips[start + b].Chw, buffer.AsSpan(b * 3 * plane, 3 * plane), plane);
            var output = _session.Run([InputTensor.Float(_spec.Input, buffer.AsMemory(0, n * 3 * plane), n, 3, size, size)], [_spec.Output])[0];
            for (var b = 0; b < count; b++)
            {
                var row = output.Row(b);
                Similarity.Normalize(row);
                result[start + b] = row;
            }
        }
        return result;
    }

    private void Normalize(float[] chw, Span<float> dst, int plane)
    {
        var mean = _spec.Preprocessing.Mean;
        var std = _spec.Preprocessing.Std;
        for (var c = 0; c < 3; c++)
        {
            var src = chw.AsSpan(c * plane, plane);
            var d = dst.Slice(c * plane, plane);
            float m = mean[c], s = std[c];
            for (var i = 0; i < plane; i++) d[i] = (src[i] - m) / s;
        }
    }

    public void Dispose() => _session.Dispose();
}
