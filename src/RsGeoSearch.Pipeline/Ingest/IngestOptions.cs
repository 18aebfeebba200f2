using RsGeoSearch.Raster;

namespace RsGeoSearch.Pipeline.Ingest;

/// <summary>How rasters are cut and embedded. Null values take the tiler's defaults.</summary>
public sealed record IngestOptions
{
    public int ChipSize { get; init; } = 256;
    public int? Stride { get; init; }
    public IReadOnlyList<int> Levels { get; init; } = [0];
    public BandMapping? Bands { get; init; }
    public DateTimeOffset? Acquired { get; init; }
    public double MaxNodataFraction { get; init; } = 0.5;
    public EdgeMode Edges { get; init; } = EdgeMode.Pad;
    public bool AllowUngeoreferenced { get; init; }
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// Chips of one scene written to the store in one transaction (several encoder batches gathered); a killed run
    /// re-encodes at most this many chips per scene being read, plus the queued batches.
    /// </summary>
    public int WriteBatchSize { get; init; } = 512;

    /// <summary>
    /// A scene already stored with another chip size or stride is deleted (its chips and embeddings of every
    /// model) and cut again, instead of failing.
    /// </summary>
    public bool Retile { get; init; }

    /// <summary>
    /// When the catalogue's embeddings of the model were made by other weights (a retrained or re-exported model
    /// under the same name), delete them and embed every file again instead of failing.
    /// </summary>
    public bool Reembed { get; init; }

    /// <summary>
    /// Store a newly registered model's embeddings as pgvector halfvec (true) or vector (false); null: halfvec from
    /// 512 dimensions on. A registered model keeps the storage it has.
    /// </summary>
    public bool? HalfPrecision { get; init; }

    /// <summary>Batches waiting between two stages (reading → encoding → writing).</summary>
    public int QueueCapacity { get; init; } = 4;

    /// <summary>Scenes tiled at the same time (default: one per core).</summary>
    public int? Readers { get; init; }
}
