using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>
/// How a scene is cut into chips: chip size and stride in pixels of the level, and the pyramid levels an
/// ingest asks for. Chips are keyed by (scene, level, col, row), so every ingest of one scene must use the
/// same size and stride; levels may be added later.
/// </summary>
public sealed record SceneGrid
{
    public SceneGrid(int chipSize, int stride, IReadOnlyList<int> levels)
    {
        if (chipSize <= 0 || stride <= 0) throw new InputException($"chip size {chipSize} and stride {stride} must be positive");
        if (levels.Count == 0 || levels.Any(l => l is < 0 or > short.MaxValue)) throw new InputException($"levels {string.Join(',', levels)} must be a non-empty list of levels >= 0");
        ChipSize = chipSize;
        Stride = stride;
        Levels = [.. levels.Distinct().Order()];
    }

    /// <summary>The tiler's defaults: 256-pixel chips, no overlap, level 0.</summary>
    public static SceneGrid Default { get; } = new(256, 256, [0]);

    public int ChipSize { get; }
    public int Stride { get; }
    public IReadOnlyList<int> Levels { get; }

    public override string ToString() => $"{ChipSize}-pixel chips at stride {Stride}";
}

/// <summary>The scene is already stored with another chip grid; re-cutting it needs its old chips deleted first.</summary>
public sealed class SceneGridMismatchException(long sceneId, string message) : InputException(message)
{
    public long SceneId { get; } = sceneId;
}
