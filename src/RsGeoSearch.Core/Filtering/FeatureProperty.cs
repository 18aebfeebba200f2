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
public sealed record FeatureProperty(string Name, PropertyType Type, string Description, bool Queryable = true, bool RankedOnly = false, bool Nullable = false);

/// <summary>
/// The one declaration of the properties of the chips and scenes feature types, in output order (the geometry
/// first): the WFS XSD and capabilities, the OGC queryables and both filter parsers use it.
/// </summary>
public static class FeatureSchema
{
    public const string Geometry = "geometry";

    public static readonly IReadOnlyList<FeatureProperty> Chips =
    [
        new(Geometry, PropertyType.Geometry, "the chip's footprint (CRS84)"),
        new("score", PropertyType.Number, "cosine similarity to the query (only with q / like)", RankedOnly: true, Nullable: true),
        new("acquired", PropertyType.DateTime, "acquisition time of the chip's scene (null when unknown)", Nullable: true),
        new("scene_id", PropertyType.Integer, "id of the scene the chip was cut from"),
        new("scene", PropertyType.String, "file name of the scene"),
        new("level", PropertyType.Integer, "zoom level of the chip grid (0 = finest)"),
        new("col", PropertyType.Integer, "column of the chip in its grid"),
        new("row", PropertyType.Integer, "row of the chip in its grid"),
        new("window", PropertyType.String, "pixel window x,y,width,height in the scene", Queryable: false),
        new("nodata_fraction", PropertyType.Number, "share of the chip without data"),
        new("thumbnail", PropertyType.String, "URL of a PNG rendering", Queryable: false),
    ];

    public static readonly IReadOnlyList<FeatureProperty> Scenes =
    [
        new(Geometry, PropertyType.Geometry, "the scene's footprint (CRS84)"),
        new("name", PropertyType.String, "file name of the scene"),
        new("acquired", PropertyType.DateTime, "acquisition time (null when unknown)", Nullable: true),
        new("acquired_source", PropertyType.String, "where the acquisition time came from", Queryable: false),
        new("crs", PropertyType.String, "the raster's own CRS", Nullable: true),
        new("width", PropertyType.Integer, "width in pixels"),
        new("height", PropertyType.Integer, "height in pixels"),
        new("bands", PropertyType.Integer, "number of bands"),
        new("chip_count", PropertyType.Integer, "chips cut from the scene"),
    ];

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
