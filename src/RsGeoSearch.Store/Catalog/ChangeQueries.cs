using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using Pgvector;
using RsGeoSearch.Core;

namespace RsGeoSearch.Store;

/// <summary>Candidate pairs of chips for change detection: chips of the same place on two acquisition times.</summary>
public sealed class ChangeQueries
{
    private readonly CatalogStore _store;

    internal ChangeQueries(CatalogStore store) => _store = store;

    /// <summary>
    /// Two scenes share a grid when their footprints overlap with at least this IoU and their sizes agree within
    /// 1% (or a pixel): the same product delivered on another date, a metre or a row off (NAIP's dates differ by
    /// 1 m and one row). Their chips of equal level/col/row show the same place.
    /// </summary>
    public const double SameGridMinIoU = 0.98;

    /// <summary>
    /// The chips of a model inside a box and time range, with their cosine to each query text vector, and every
    /// pair of them that shows the same place on two acquisition times (earlier first): the same grid cell
    /// (level, col, row) of scenes on the same grid (see <see cref="SameGridMinIoU"/>; the pair's IoU is then the scenes'
    /// IoU, found by an equi-join without per-chip geometry), or chips whose
    /// footprints overlap with IoU = area(a ∩ b) / area(a ∪ b) ≥ <see cref="ChangeCandidatesQuery.MinIoU"/>, across
    /// grids and sensors. The pair's distance is pgvector's cosine distance (1 − cosine) of the two embeddings.
    /// Chips without a footprint or an acquisition time take no part.
    /// </summary>
    public async Task<ChangeCandidates> GetCandidatesAsync(ChangeCandidatesQuery query, CancellationToken ct = default)
    {
        if (!(query.MinIoU > 0 && query.MinIoU <= 1)) throw new InputException($"iou {query.MinIoU} must be greater than 0 and at most 1");
        var model = await _store.Models.GetAsync(query.Model, ct).ConfigureAwait(false);
        var vectors = query.TextVectors ?? [];
        foreach (var v in vectors)
        {
            if (v.Length != model.Dimension)
                throw new InputException($"a text vector has {v.Length} values but model '{model.Name}' has {model.Dimension}");
            if (v.Any(x => !float.IsFinite(x))) throw new InputException("a text vector contains NaN or infinity");
        }

        return await _store.RunAsync(conn => CandidatesAsync(conn, model, vectors, query, ct), ct).ConfigureAwait(false);
    }

    private static async Task<ChangeCandidates> CandidatesAsync(NpgsqlConnection conn, ModelInfo model, IReadOnlyList<float[]> vectors, ChangeCandidatesQuery query, CancellationToken ct)
    {
        var chips = new Dictionary<long, ChangeChip>();
        await using (var cmd = new NpgsqlCommand { Connection = conn })
        {
            var sql = new StringBuilder("SELECT c.id, c.acquired_at");
            for (var i = 0; i < vectors.Count; i++)
            {
                sql.Append(CultureInfo.InvariantCulture, $", 1 - (e.{model.Column} <=> @q{i}::{model.VectorType})");
                cmd.Parameters.AddWithValue($"q{i}", new Vector(vectors[i]));
            }
            sql.Append(CultureInfo.InvariantCulture, $" FROM chips c JOIN embeddings e ON e.chip_id = c.id AND e.cell = c.cell AND e.model_id = {model.Id} WHERE ");
            AppendChangeFilter(sql, cmd, "c", query);
            sql.Append(" LIMIT @max");
            cmd.Parameters.AddWithValue("max", query.MaxChips + 1);
            cmd.CommandText = sql.ToString();
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var cosines = new float[vectors.Count];
                for (var i = 0; i < cosines.Length; i++) cosines[i] = (float)reader.GetDouble(2 + i);
                var id = reader.GetInt64(0);
                chips[id] = new ChangeChip(id, reader.GetFieldValue<DateTimeOffset>(1), cosines);
            }
        }
        if (chips.Count > query.MaxChips)
            throw new InputException($"more than {query.MaxChips} chips of model '{model.Name}' lie in bbox {query.Bbox} and time range {query.Time}; narrow the box or the dates");
        if (chips.Count < 2) return new ChangeCandidates(chips, []);

        var pairs = new List<ChipPair>();
        await using (var cmd = new NpgsqlCommand { Connection = conn })
        {
            // a: the candidates. sp: pairs of their scenes whose footprints meet, their IoU and whether they share
            // one grid (then the same level/col/row is the same place: an equi-join, no per-chip geometry).
            // Scenes of other grids pair chips through the GiST index on chips.footprint; a cheap bound first
            // (IoU >= t needs the envelopes' overlap to reach t * the larger area, as the overlap is at most the
            // envelopes' overlap and the union at least either area) drops neighbours that merely touch before
            // any ST_Intersection.
            var sql = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"""
                WITH a AS MATERIALIZED (
                    SELECT c.id, c.scene_id, c.level, c.col, c."row", c.footprint, c.acquired_at, e.{model.Column} AS embedding
                    FROM chips c JOIN embeddings e ON e.chip_id = c.id AND e.cell = c.cell AND e.model_id = {model.Id}
                    WHERE 
                """));
            AppendChangeFilter(sql, cmd, "c", query);
            sql.Append(CultureInfo.InvariantCulture, $"""
                ),
                s AS MATERIALIZED (SELECT id, width, height, footprint FROM scenes WHERE id IN (SELECT DISTINCT scene_id FROM a)),
                si AS (
                    SELECT s1.id AS sa, s2.id AS sb, abs(s1.width - s2.width) <= greatest(1, s1.width / 100)
                           AND abs(s1.height - s2.height) <= greatest(1, s1.height / 100) AS same_size,
                           CASE WHEN ST_Equals(s1.footprint, s2.footprint) THEN 1.0::float8
                                ELSE ST_Area(ST_Intersection(s1.footprint, s2.footprint)) / nullif(ST_Area(ST_Union(s1.footprint, s2.footprint)), 0) END AS iou
                    FROM s s1 JOIN s s2 ON s1.footprint && s2.footprint
                ),
                sp AS MATERIALIZED (SELECT sa, sb, iou, coalesce(same_size AND iou >= {SameGridMinIoU.ToString(CultureInfo.InvariantCulture)}, false) AS same_grid FROM si)
                SELECT a.id, b.id, sp.iou, a.embedding <=> b.embedding
                FROM sp
                JOIN a ON a.scene_id = sp.sa
                JOIN a b ON b.scene_id = sp.sb AND b.level = a.level AND b.col = a.col AND b."row" = a."row"
                WHERE sp.same_grid AND sp.iou >= @iou AND b.acquired_at > a.acquired_at
                UNION ALL
                SELECT id_a, id_b, iou, distance FROM (
                    SELECT a.id AS id_a, b.id AS id_b, a.embedding <=> eb.embedding AS distance,
                           ST_Area(ST_Intersection(a.footprint, b.footprint)) / nullif(ST_Area(ST_Union(a.footprint, b.footprint)), 0) AS iou
                    FROM sp
                    JOIN a ON a.scene_id = sp.sa
                    CROSS JOIN LATERAL (
                        SELECT b.id, b.footprint FROM chips b
                        WHERE b.scene_id = sp.sb AND b.footprint && a.footprint AND b.acquired_at > a.acquired_at
                    ) b
                    JOIN a eb ON eb.id = b.id
                    WHERE NOT sp.same_grid
                      AND greatest(least(ST_XMax(a.footprint), ST_XMax(b.footprint)) - greatest(ST_XMin(a.footprint), ST_XMin(b.footprint)), 0)
                        * greatest(least(ST_YMax(a.footprint), ST_YMax(b.footprint)) - greatest(ST_YMin(a.footprint), ST_YMin(b.footprint)), 0)
                        >= @iou * greatest(ST_Area(a.footprint), ST_Area(b.footprint))
                ) x WHERE iou >= @iou
                ORDER BY 1, 2
                """);
            cmd.Parameters.AddWithValue("iou", query.MinIoU);
            cmd.CommandText = sql.ToString();
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                pairs.Add(new ChipPair(reader.GetInt64(0), reader.GetInt64(1), Math.Min(1, reader.GetDouble(2)), reader.GetDouble(3)));
        }
        return new ChangeCandidates(chips, pairs);
    }

    /// <summary>Footprint, box and time conditions on chips aliased <paramref name="alias"/>; their parameters go to <paramref name="cmd"/>.</summary>
    private static void AppendChangeFilter(StringBuilder sql, NpgsqlCommand cmd, string alias, ChangeCandidatesQuery query)
    {
        var p = new SqlParameters();
        sql.Append(CultureInfo.InvariantCulture, $"{alias}.footprint IS NOT NULL AND {alias}.acquired_at IS NOT NULL")
            .Append(ChipSql.Intersects($"{alias}.footprint", query.Bbox, p))
            .Append(ChipSql.Time(alias, query.Time, p));
        cmd.Parameters.AddRange(p.List.ToArray());
    }
}
