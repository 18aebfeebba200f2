namespace RsGeoSearch.Evaluation;

/// <summary>One class's share of the evaluated images: how many there were, how many were top-1 and top-5 correct.</summary>
public sealed record ClassAccuracy(int Images, int Top1Correct, int Top5Correct)
{
    /// <summary>Top-1 accuracy of the class (its recall); null when the class had no images.</summary>
    public double? Top1 => Images == 0 ? null : (double)Top1Correct / Images;

    public double? Top5 => Images == 0 ? null : (double)Top5Correct / Images;
}
