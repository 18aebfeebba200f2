using System.Text.Json;
using System.Text.Json.Serialization;

namespace RsGeoSearch.Store.Cluster;

/// <summary>cluster.json: the choices made when the cluster was created (port, TCP, password).</summary>
internal sealed record ClusterSettings(
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("tcp")] bool Tcp,
    [property: JsonPropertyName("password")] string Password)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static ClusterSettings? TryLoad(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<ClusterSettings>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new StoreException($"{path} is not valid JSON ({e.Message}); fix or delete it", e); }
    }

    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, path, overwrite: true);
    }
}
