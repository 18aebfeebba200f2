using System.Globalization;
using System.Text;

namespace RsGeoSearch.Evaluation;

/// <summary>
/// Writes a zero-shot evaluation into a folder: <c>per_class.csv</c> (the legend of the plot: index, folder, label,
/// images, accuracies), <c>confusion_matrix.csv</c> (counts; rows true, columns predicted), <c>confusion_matrix.png</c>,
/// <c>predictions.csv</c> (one row per image) and <c>skipped.csv</c> when images could not be read.
/// </summary>
public static class ClassificationReportFiles
{
    public const string PerClass = "per_class.csv", Confusion = "confusion_matrix.csv", Plot = "confusion_matrix.png",
        Predictions = "predictions.csv", Skipped = "skipped.csv";

    /// <summary>Writes the files; returns their paths.</summary>
    public static IReadOnlyList<string> Write(ZeroShotEvaluation result, string folder)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        void Save(string name, string text)
        {
            var path = Path.Combine(folder, name);
            File.WriteAllText(path, text, new UTF8Encoding(false));
            written.Add(path);
        }

        var m = result.Metrics;
        var sb = new StringBuilder("index,class,label,images,top1_correct,top1_accuracy,top5_accuracy\n");
        foreach (var c in result.Classes)
        {
            var a = m.PerClass[c.Index];
            sb.Append(CultureInfo.InvariantCulture, $"{c.Index},{Csv(c.Folder)},{Csv(c.Label)},{a.Images},{a.Top1Correct},{Number(a.Top1)},{Number(a.Top5)}\n");
        }
        Save(PerClass, sb.ToString());

        sb.Clear().Append("true_index,true_label");
        foreach (var c in result.Classes) sb.Append(',').Append(Csv($"{c.Index} {c.Label}"));
        sb.Append('\n');
        foreach (var c in result.Classes)
            sb.Append(CultureInfo.InvariantCulture, $"{c.Index},{Csv(c.Label)},{string.Join(',', m.Confusion[c.Index])}\n");
        Save(Confusion, sb.ToString());

        sb.Clear().Append("image,true_label,predicted_label,cosine,true_rank,correct\n");
        foreach (var p in result.Predictions)
            sb.Append(CultureInfo.InvariantCulture,
                $"{Csv(p.Path)},{Csv(result.Classes[p.TrueClass].Label)},{Csv(result.Classes[p.PredictedClass].Label)},{p.Score:0.######},{p.TruePosition + 1},{(p.TrueClass == p.PredictedClass ? "true" : "false")}\n");
        Save(Predictions, sb.ToString());

        var skippedPath = Path.Combine(folder, Skipped);
        if (result.Skipped.Count > 0)
        {
            sb.Clear().Append("image,reason\n");
            foreach (var s in result.Skipped) sb.Append(Csv(s.Path)).Append(',').Append(Csv(s.Reason)).Append('\n');
            Save(Skipped, sb.ToString());
        }
        else if (File.Exists(skippedPath)) File.Delete(skippedPath);

        var plot = Path.Combine(folder, Plot);
        File.WriteAllBytes(plot, ConfusionMatrixPlot.Png(m.Confusion));
        written.Add(plot);
        return written;
    }

    /// <summary>A CSV field, quoted when it holds a comma, quote or line break.</summary>
    public static string Csv(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static string Number(double? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "";
}
