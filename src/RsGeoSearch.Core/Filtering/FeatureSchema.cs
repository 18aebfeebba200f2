using NetTopologySuite.Geometries;
using RsGeoSearch.Core.Features;

namespace RsGeoSearch.Core.Filtering;

/// <summary>The value type of a feature property, as filters, JSON Schema (OGC queryables) and XSD (WFS) see it.</summary>
public enum PropertyType
{
    Integer,
    Number,
    String,
    DateTime,
    Geometry,
}

/// <summary>
/// One property of a feature type. <see cref="Queryable"/> properties can be filtered and sorted on;
/// <see cref="RankedOnly"/> ones (score) exist only when a query ranks the features.
/// </summary>
public record FeatureProperty(string Name, PropertyType Type, string Description, bool Queryable = true, bool RankedOnly = false, bool Nullable = false)
{
    /// <summary>Written only in GeoJSON: not in GML, the XSD, the queryables or the filters.</summary>
    public bool JsonOnly { get; init; }

    /// <summary>GeoJSON leaves the member out when it has no value (instead of writing null).</summary>
    public bool OmitWhenNull { get; init; }

    /// <summary>An integer that may exceed 32 bits (ids, counts): xsd:long instead of xsd:int.</summary>
    public bool Long { get; init; }

    /// <summary>Decimal places of a number in GeoJSON (GML carries the value as the accessor gives it).</summary>
    public int Digits { get; init; } = 6;

    /// <summary>JSON Schema type and format (queryables, OpenAPI).</summary>
    public (string? Type, string? Format) JsonSchema => Type switch
    {
        PropertyType.Geometry => (null, "geometry-polygon"),
        PropertyType.Integer => ("integer", null),
        PropertyType.Number => ("number", null),
        PropertyType.DateTime => ("string", "date-time"),
        _ => ("string", null),
    };

    /// <summary>XML Schema type (WFS DescribeFeatureType).</summary>
    public string XsdType => Type switch
    {
        PropertyType.Geometry => "gml:PolygonPropertyType",
        PropertyType.Integer => Long ? "xsd:long" : "xsd:int",
        PropertyType.Number => "xsd:double",
        PropertyType.DateTime => "xsd:dateTime",
        _ => "xsd:string",
    };
}

/// <summary>
/// A property of features of type <typeparamref name="T"/> with its value: a <see cref="long"/> or <see cref="int"/>
/// (Integer), <see cref="double"/> (Number), <see cref="string"/>, <see cref="DateTimeOffset"/> (DateTime) or
/// <see cref="Polygon"/> (Geometry), or null. The accessor's second argument is the server's base URL (links).
/// </summary>
public sealed record FeatureProperty<T>(string Name, PropertyType Type, string Description, Func<T, string, object?> Value)
    : FeatureProperty(Name, Type, Description);

/// <summary>
/// A feature type: its collection name, title, id, and properties in output order, the geometry first.
/// <paramref name="JsonExtras"/> writes GeoJSON members that are not flat values (group=place's other_dates).
/// </summary>
public sealed record FeatureType<T>(string Name, string Title, Func<T, object> Id, IReadOnlyList<FeatureProperty<T>> Properties,
    Action<System.Text.Json.Utf8JsonWriter, T>? JsonExtras = null)
{
    /// <summary>The footprint of a feature (the first property).</summary>
    public Polygon? Geometry(T feature) => (Polygon?)Properties[0].Value(feature, "");

    /// <summary>The properties every format carries (GML, XSD, filters, queryables): all but the GeoJSON-only ones.</summary>
    public IReadOnlyList<FeatureProperty> Common { get; } = Properties.Where(p => !p.JsonOnly).ToArray();
}

/// <summary>
/// The one declaration of the chips, scenes and changes feature types: names, types, descriptions and values. GeoJSON
/// (<see cref="FeatureJson"/>, API and CLI), GML and the WFS XSD, the OGC queryables and OpenAPI, and both filter
/// parsers read it.
/// </summary>
public static class FeatureSchema
{
    public const string Geometry = "geometry";

    private static FeatureProperty<T> P<T>(string name, PropertyType type, string description, Func<T, object?> value) =>
        new(name, type, description, (f, _) => value(f));

    public static readonly FeatureType<ScoredChip> ChipType = new("chips", "Image chips", h => h.Chip.Id,
    [
        P<ScoredChip>(Geometry, PropertyType.Geometry, "the chip's footprint (CRS84)", h => h.Chip.Footprint),
        P<ScoredChip>("score", PropertyType.Number, "cosine similarity to the query (only with q / like)", h => h.Score) with { RankedOnly = true, Nullable = true },
        P<ScoredChip>("relevance", PropertyType.Number, "calibrated probability that the chip matches the text query", h => h.Relevance)
            with { RankedOnly = true, Nullable = true, JsonOnly = true, OmitWhenNull = true, Queryable = false, Digits = 4 },
        P<ScoredChip>("acquired", PropertyType.DateTime, "acquisition time of the chip's scene (null when unknown)", h => h.Chip.AcquiredAt) with { Nullable = true },
        P<ScoredChip>("scene_id", PropertyType.Integer, "id of the scene the chip was cut from", h => h.Chip.SceneId) with { Long = true },
        P<ScoredChip>("scene", PropertyType.String, "file name of the scene", h => FeatureJson.SceneName(h.Chip.SceneUri)),
        P<ScoredChip>("level", PropertyType.Integer, "zoom level of the chip grid (0 = finest)", h => h.Chip.Level),
        P<ScoredChip>("col", PropertyType.Integer, "column of the chip in its grid", h => h.Chip.Col),
        P<ScoredChip>("row", PropertyType.Integer, "row of the chip in its grid", h => h.Chip.Row),
        P<ScoredChip>("window", PropertyType.String, "pixel window x,y,width,height in the scene", h => h.Chip.Window.ToString()) with { Queryable = false },
        // Four decimals in every format: the share of pixels is not known more precisely than that.
        P<ScoredChip>("nodata_fraction", PropertyType.Number, "share of the chip without data", h => Math.Round(h.Chip.NodataFraction, 4)) with { Digits = 4 },
        new FeatureProperty<ScoredChip>("thumbnail", PropertyType.String, "URL of a PNG rendering", (h, baseUrl) => $"{baseUrl}/chips/{h.Chip.Id}.png") with { Queryable = false },
        P<ScoredChip>("dates", PropertyType.Integer, "group=place: how many dates the place has", h => h.OtherDates is { } o ? o.Count + 1 : null)
            with { JsonOnly = true, OmitWhenNull = true, Queryable = false, Nullable = true },
    ], FeatureJson.WriteOtherDates);

    public static readonly FeatureType<SceneRecord> SceneType = new("scenes", "Scenes", s => s.Id,
    [
        P<SceneRecord>(Geometry, PropertyType.Geometry, "the scene's footprint (CRS84)", s => s.Footprint),
        P<SceneRecord>("name", PropertyType.String, "file name of the scene", s => FeatureJson.SceneName(s.Uri)),
        P<SceneRecord>("sensor", PropertyType.String, "the sensor, recognised from the file and folder names (null when not)", s => SensorName.Guess(s.Uri))
            with { JsonOnly = true, Queryable = false, Nullable = true },
        P<SceneRecord>("acquired", PropertyType.DateTime, "acquisition time (null when unknown)", s => s.AcquiredAt) with { Nullable = true },
        P<SceneRecord>("acquired_source", PropertyType.String, "where the acquisition time came from", s => s.AcquiredSource.ToString().ToLowerInvariant()) with { Queryable = false },
        P<SceneRecord>("crs", PropertyType.String, "the raster's own CRS", s => s.Crs) with { Nullable = true },
        P<SceneRecord>("width", PropertyType.Integer, "width in pixels", s => s.Width),
        P<SceneRecord>("height", PropertyType.Integer, "height in pixels", s => s.Height),
        P<SceneRecord>("bands", PropertyType.Integer, "number of bands", s => s.Bands),
        P<SceneRecord>("chip_count", PropertyType.Integer, "chips cut from the scene", s => s.ChipCount) with { Long = true },
    ]);

    /// <summary>Changes: GeoJSON only (no filters, no WFS type); the id is BEFORE-AFTER.</summary>
    public static readonly FeatureType<ChangeRecord> ChangeType = new("changes", "Changes", c => $"{c.Before.Id}-{c.After.Id}",
    [
        P<ChangeRecord>(Geometry, PropertyType.Geometry, "the later chip's footprint (CRS84)", c => c.Footprint),
        P<ChangeRecord>("score", PropertyType.Number, "the ranking score", c => c.Score),
        P<ChangeRecord>("change", PropertyType.Number, "1 - cosine of the two chips' embeddings", c => c.Change),
        P<ChangeRecord>("normalised_change", PropertyType.Number, "change divided by the place's typical change (normalise=true)", c => c.NormalisedChange) with { Nullable = true },
        P<ChangeRecord>("text_score", PropertyType.Number, "how far the later chip moved towards the text (q)", c => c.TextScore) with { Nullable = true },
        P<ChangeRecord>("iou", PropertyType.Number, "footprint intersection over union of the two chips", c => c.Iou) with { Digits = 4 },
        P<ChangeRecord>("before_chip", PropertyType.Integer, "id of the earlier chip", c => c.Before.Id) with { Long = true },
        P<ChangeRecord>("after_chip", PropertyType.Integer, "id of the later chip", c => c.After.Id) with { Long = true },
        P<ChangeRecord>("before_acquired", PropertyType.DateTime, "acquisition time of the earlier chip", c => c.Before.AcquiredAt) with { Nullable = true },
        P<ChangeRecord>("after_acquired", PropertyType.DateTime, "acquisition time of the later chip", c => c.After.AcquiredAt) with { Nullable = true },
        P<ChangeRecord>("before_scene", PropertyType.String, "file name of the earlier chip's scene", c => FeatureJson.SceneName(c.Before.SceneUri)),
        P<ChangeRecord>("after_scene", PropertyType.String, "file name of the later chip's scene", c => FeatureJson.SceneName(c.After.SceneUri)),
        new FeatureProperty<ChangeRecord>("before_thumbnail", PropertyType.String, "URL of a PNG of the earlier chip", (c, baseUrl) => $"{baseUrl}/chips/{c.Before.Id}.png"),
        new FeatureProperty<ChangeRecord>("after_thumbnail", PropertyType.String, "URL of a PNG of the later chip", (c, baseUrl) => $"{baseUrl}/chips/{c.After.Id}.png"),
    ]);

    /// <summary>The properties of chips that every format carries (filters, sorting, WFS).</summary>
    public static IReadOnlyList<FeatureProperty> Chips => ChipType.Common;

    /// <summary>The properties of scenes that every format carries (filters, sorting, WFS).</summary>
    public static IReadOnlyList<FeatureProperty> Scenes => SceneType.Common;

    /// <summary>The properties of "chips" or "scenes".</summary>
    public static IReadOnlyList<FeatureProperty> Of(string collection) => collection switch
    {
        "chips" => Chips,
        "scenes" => Scenes,
        _ => throw new NotFoundException($"collection '{collection}' has no feature schema"),
    };

    /// <summary>The queryable property of this name (the geometry also answers to footprint), or a <see cref="FilterException"/> listing the queryables.</summary>
    public static FeatureProperty Queryable(IReadOnlyList<FeatureProperty> properties, string name, int position, bool ranked)
    {
        var key = name == "footprint" ? Geometry : name;
        var p = properties.FirstOrDefault(p => p.Name == key && p.Queryable);
        if (p is null)
            throw new FilterException($"'{name}' is not a queryable property; queryables: {string.Join(", ", properties.Where(q => q.Queryable).Select(q => q.Name))}", position);
        if (p.RankedOnly && !ranked)
            throw new FilterException($"'{name}' exists only when q (or like) ranks the features", position);
        return p;
    }
}
