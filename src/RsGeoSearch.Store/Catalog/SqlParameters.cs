using Npgsql;
using NpgsqlTypes;

namespace RsGeoSearch.Store;

/// <summary>
/// The bound parameters of a statement being built: each name added once (a filter used by two statements of one
/// command binds its values once), every value a parameter, never text spliced into SQL.
/// </summary>
public sealed class SqlParameters
{
    /// <summary>The parameters in the order added (<see cref="FilterSql.Where"/> appends its @flt0, @flt1 ... here too).</summary>
    public List<NpgsqlParameter> List { get; } = [];

    /// <summary>Binds <paramref name="value"/> as @<paramref name="name"/> unless that name is bound; returns "@name".</summary>
    public string Add(string name, object value, NpgsqlDbType? type = null)
    {
        if (!List.Exists(p => p.ParameterName == name))
            List.Add(type is { } t ? new NpgsqlParameter(name, t) { Value = value } : new NpgsqlParameter(name, value));
        return "@" + name;
    }

    /// <summary>The value bound to <paramref name="name"/>, or null.</summary>
    public object? this[string name] => List.Find(p => p.ParameterName == name)?.Value;

    /// <summary>A command of <paramref name="sql"/> with these parameters on <paramref name="conn"/>.</summary>
    public NpgsqlCommand Command(string sql, NpgsqlConnection conn, NpgsqlTransaction? tx = null)
    {
        var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var p in List) cmd.Parameters.Add(p.Clone());
        return cmd;
    }
}
