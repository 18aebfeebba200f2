using System.Text;
using Npgsql;
using NpgsqlTypes;
using RsGeoSearch.Core;

namespace RsGeoSearch.Bench.Store;

/// <summary>One plan's figures for one case: latency percentiles, recall@k against exact, queries that got all k rows.</summary>
internal sealed record CaseResult(string Dataset, string Case, string Plan, double P50, double P95, double P99, double Recall, int Full, int Queries, string Plans);

/// <summary>Collects one plan's latencies and answers over the queries of a case.</summary>
internal sealed class PlanStats(string label)
{
    private readonly List<double> _latencies = [];
    private readonly Dictionary<string, int> _plans = new(StringComparer.Ordinal);
    private double _found, _wanted;
    private int _full;

    public string Label => label;

    /// <summary>One query: its latency, the ids it returned and the exact top-k (all k rows = as many as exact has).</summary>
    public void Add(double ms, IReadOnlyList<long> ids, IReadOnlyList<long> truth, string plan)
    {
        _latencies.Add(ms);
        _plans[plan] = _plans.GetValueOrDefault(plan) + 1;
        var set = truth.ToHashSet();
        _found += ids.Count(set.Contains);
        _wanted += truth.Count;
        if (ids.Count >= truth.Count) _full++;
    }

    public double Recall => _wanted == 0 ? 1 : _found / _wanted;

    public CaseResult Result(string dataset, string name) => new(dataset, name,
        label == "project (auto)" ? "auto: " + string.Join(", ", _plans.Select(p => $"{p.Key} {p.Value}")) : label,
        Percentile(_latencies, 50), Percentile(_latencies, 95), Percentile(_latencies, 99), Recall, _full, _latencies.Count,
        string.Join(", ", _plans.Select(p => $"{p.Key} {p.Value}")));

    public static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[(int)Math.Clamp(Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}

/// <summary>The box and time conditions of a query on chips c, as a user writes them (bound parameters).</summary>
internal static class Filters
{
    public static void Append(StringBuilder sql, NpgsqlCommand cmd, SearchQuery q)
    {
        if (q.Bbox is { } b)
        {
            sql.Append(" AND ST_Intersects(c.footprint, ST_MakeEnvelope(@minx, @miny, @maxx, @maxy, 4326))");
            cmd.Parameters.AddWithValue("minx", b.MinX);
            cmd.Parameters.AddWithValue("miny", b.MinY);
            cmd.Parameters.AddWithValue("maxx", b.MaxX);
            cmd.Parameters.AddWithValue("maxy", b.MaxY);
        }
        if (q.Time.From is { } from)
        {
            sql.Append(" AND c.acquired_at >= @from");
            cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from.ToUniversalTime() });
        }
        if (q.Time.To is { } to)
        {
            sql.Append(" AND c.acquired_at <= @to");
            cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = to.ToUniversalTime() });
        }
    }
}
