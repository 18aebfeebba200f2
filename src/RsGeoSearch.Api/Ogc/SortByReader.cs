using RsGeoSearch.Core.Filtering;

namespace RsGeoSearch.Api.Ogc;

/// <summary>
/// Sort keys from OGC API sortby ("-acquired,level", + or - prefix) or WFS SORTBY ("acquired DESC,level ASC",
/// also A/D), checked against the feature schema. A ranked query is ordered by score, best first: only that
/// order (or none) is accepted, never a silently different one.
/// </summary>
internal static class SortByReader
{
    public static IReadOnlyList<SortClause>? Parse(string? text, IReadOnlyList<FeatureProperty> schema, bool ranked)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var keys = new List<SortClause>();
        var position = 1;
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            var descending = false;
            if (part.StartsWith('-')) { descending = true; part = part[1..].Trim(); }
            else if (part.StartsWith('+')) part = part[1..].Trim();
            var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 2)
            {
                descending = words[1].ToUpperInvariant() switch
                {
                    "DESC" or "D" => true,
                    "ASC" or "A" => false,
                    _ => throw new FilterException($"sort direction '{words[1]}' must be ASC or DESC", position),
                };
            }
            else if (words.Length != 1) throw new FilterException($"'{raw.Trim()}' is not a sort key (property, optionally ASC/DESC or a - prefix)", position);
            var name = words[0][(words[0].IndexOf(':') + 1)..];
            var property = FeatureSchema.Queryable(schema, name, position, ranked);
            if (property.Type == PropertyType.Geometry) throw new FilterException("the geometry cannot be sorted on", position);
            keys.Add(new SortClause(property, descending));
            position += raw.Length + 1;
        }
        if (ranked && keys.Any(k => k.Property.Name != "score" || !k.Descending))
            throw new FilterException("a ranked query (q, like) is ordered by score, best first; sort by other properties without it");
        return ranked ? null : keys;
    }
}
