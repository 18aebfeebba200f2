using Microsoft.ML.OnnxRuntime.Tensors;
using RsGeoSearch.Core;
using RsGeoSearch.Inference.Models;
using RsGeoSearch.Inference.Onnx;
using RsGeoSearch.Inference.Text;

namespace RsGeoSearch.Inference;

/// <summary>Texts → L2-normalised embeddings (tokenize, batch, run the text graph); prompt-template ensembles for labels. Thread-safe.</summary>
public sealed class TextEncoder : IDisposable
{
    private readonly OnnxSession _session;
    private readonly TextSpec _spec;

    internal TextEncoder(OnnxSession session, TextSpec spec, Tokenizer tokenizer, int dimension)
    {
        _session = session;
        _spec = spec;
        Tokenizer = tokenizer;
        Dimension = dimension;
        var file = Path.GetFileName(session.ModelPath);
        foreach (var input in session.Inputs)
        {
            if (input.Name != spec.InputIds && input.Name != spec.AttentionMask)
                throw new InputException($"{session.ModelPath}: input {input} is neither text.input_ids '{spec.InputIds}' nor text.attention_mask '{spec.AttentionMask ?? "(none)"}' of the manifest");
            if (input.ElementType != TensorElementType.Int64 || input.Shape.Length != 2 || input.Shape[1] >= 0 && input.Shape[1] != spec.ContextLength)
                throw new InputException($"{file}: input {input} must be int64[batch, {spec.ContextLength}] (manifest text.context_length)");
        }
        if (session.Inputs.All(i => i.Name != spec.InputIds))
            throw new InputException($"{session.ModelPath}: no input '{spec.InputIds}' (manifest text.input_ids); the graph has {string.Join(", ", session.Inputs)}");
        HasMask = spec.AttentionMask is not null && session.Inputs.Any(i => i.Name == spec.AttentionMask);
        if (spec.AttentionMask is not null && !HasMask)
            throw new InputException($"{session.ModelPath}: no input '{spec.AttentionMask}' (manifest text.attention_mask); remove it from the manifest if the graph takes none");
        var output = session.Outputs.FirstOrDefault(o => o.Name == spec.Output)
            ?? throw new InputException($"{session.ModelPath}: no output '{spec.Output}' (manifest text.output); the graph has {string.Join(", ", session.Outputs)}");
        if (output.Shape.Length != 2 || output.Shape[1] >= 0 && output.Shape[1] != dimension)
            throw new InputException($"{file}: output {output} is not [batch, {dimension}] (manifest embedding_dim)");
    }

    public Tokenizer Tokenizer { get; }
    public int Dimension { get; }
    public bool HasMask { get; }
    public int MaxBatchSize { get; set; } = 64;

    public float[] Encode(string text) => Encode([text])[0];

    /// <summary>Embeds every text (in order); each result has unit length.</summary>
    public float[][] Encode(IReadOnlyList<string> texts)
    {
        var result = new float[texts.Count][];
        var L = _spec.ContextLength;
        for (var start = 0; start < texts.Count; start += MaxBatchSize)
        {
            var n = Math.Min(MaxBatchSize, texts.Count - start);
            var ids = new long[n * L];
            var mask = new long[n * L];
            for (var b = 0; b < n; b++)
            {
                var e = Tokenizer.Encode(texts[start + b]);
                e.Ids.CopyTo(ids, b * L);
                e.AttentionMask.CopyTo(mask, b * L);
            }
            var inputs = new List<InputTensor> { InputTensor.Int64(_spec.InputIds, ids, n, L) };
            if (HasMask) inputs.Add(InputTensor.Int64(_spec.AttentionMask!, mask, n, L));
            var output = _session.Run(inputs, [_spec.Output])[0];
            for (var b = 0; b < n; b++)
            {
                var row = output.Row(b);
                Similarity.Normalize(row);
                result[start + b] = row;
            }
        }
        return result;
    }

    /// <summary>
    /// One embedding per label: each template's "{}" replaced by the label, the normalised template embeddings
    /// averaged and renormalised (CLIP's prompt ensembling). No templates: the label text itself.
    /// </summary>
    public float[][] EncodeLabels(IReadOnlyList<string> labels, IReadOnlyList<string>? templates)
    {
        if (templates is null || templates.Count == 0) return Encode(labels);
        var texts = labels.SelectMany(l => templates.Select(t => t.Replace("{}", l, StringComparison.Ordinal))).ToArray();
        var all = Encode(texts);
        var result = new float[labels.Count][];
        for (var i = 0; i < labels.Count; i++)
        {
            var mean = new float[Dimension];
            for (var t = 0; t < templates.Count; t++)
            {
                var v = all[i * templates.Count + t];
                for (var k = 0; k < mean.Length; k++) mean[k] += v[k];
            }
            Similarity.Normalize(mean);
            result[i] = mean;
        }
        return result;
    }

    public void Dispose() => _session.Dispose();
}
