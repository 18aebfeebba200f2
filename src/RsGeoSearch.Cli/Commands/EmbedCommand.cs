using System.CommandLine;
using System.Text;
using System.Text.Json;
using RsGeoSearch.Core;
using RsGeoSearch.Pipeline;

namespace RsGeoSearch.Cli.Commands;

/// <summary>
/// <c>rsgeo embed IMAGE|FOLDER --out FILE</c> and <c>rsgeo embed --texts FILE --out FILE</c>: feature extraction.
/// <c>.npy</c> output (float32, rows in input order) gets a sidecar <c>.txt</c> listing the inputs; any other
/// extension gets JSON lines {"input": ..., "embedding": [...]}.
/// </summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var input = new Argument<string?>("image") { Description = "An image file or a folder of images", Arity = ArgumentArity.ZeroOrOne };
        var texts = new Option<string?>("--texts") { Description = "A text file with one text per line (embed texts instead of images)" };
        var output = new Option<string>("--out", "-o") { Description = "Output file: .npy (+ .txt list of inputs) or .jsonl", Required = true };
        var model = new ModelsCommand.ModelOptions();
        var command = new Command("embed", "Write L2-normalised embeddings of images or texts (.npy or JSON lines)") { input, texts, output };
        model.AddTo(command);
        command.SetAction((parseResult, ct) => CommandRunner.RunAsync("embed", async () =>
        {
            var imagePath = parseResult.GetValue(input);
            var textFile = parseResult.GetValue(texts);
            if ((imagePath is null) == (textFile is null)) throw new InputException("give either an image/folder or --texts FILE");
            var outPath = parseResult.GetValue(output)!;
            using var m = model.Load(parseResult);
            var inputs = new List<string>();
            var vectors = new List<float[]>();
            var failed = 0;
            if (textFile is not null)
            {
                if (!File.Exists(textFile)) throw new InputException($"--texts {textFile}: no such file");
                var lines = (await File.ReadAllLinesAsync(textFile, ct)).Select(l => l.TrimEnd('\r')).ToList();
                if (lines.Count == 0) throw new InputException($"--texts {textFile}: the file is empty");
                if (lines.FindIndex(string.IsNullOrWhiteSpace) is var blank and >= 0)
                    throw new InputException($"--texts {textFile}: line {blank + 1} is empty; one text per line");
                inputs.AddRange(lines);
                vectors.AddRange(m.EncodeTexts(lines));
            }
            else
            {
                foreach (var file in ImageInputs.Expand(imagePath!))
                {
                    ct.ThrowIfCancellationRequested();
                    try
                    {
                        vectors.Add(m.EncodeImage(Preprocessing.ReadImage(m, file)));
                        inputs.Add(file);
                    }
                    catch (Exception e) when (e is InputException or Raster.RasterException)
                    {
                        failed++;
                        Console.Error.WriteLine($"rsgeo embed: skipped {file}: {e.Message}");
                    }
                }
            }
            if (vectors.Count == 0) throw new InputException("nothing could be embedded");
            if (outPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            {
                await File.WriteAllBytesAsync(outPath, Npy.Float32Matrix(vectors), ct);
                await File.WriteAllLinesAsync(Path.ChangeExtension(outPath, ".txt"), inputs, ct);
            }
            else
            {
                await using var writer = new StreamWriter(outPath, false, new UTF8Encoding(false));
                for (var i = 0; i < vectors.Count; i++)
                    await writer.WriteLineAsync(JsonSerializer.Serialize(new { input = inputs[i], embedding = vectors[i] }));
            }
            Console.Error.WriteLine($"rsgeo embed: {vectors.Count} embedding(s) of dimension {m.Dimension} ({m.Name}) written to {outPath}");
            return failed == 0 ? 0 : CommandRunner.Failure;
        }));
        return command;
    }
}
