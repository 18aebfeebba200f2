namespace RsGeoSearch.Evaluation;

/// <summary>One class of a labelled folder: its index (the tick number in the confusion-matrix plot), folder name and label text.</summary>
public sealed record EvalClass(int Index, string Folder, string Label);
