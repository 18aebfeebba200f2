namespace RsGeoSearch.Store.Cluster;

/// <summary>
/// A node of a Citus cluster is unusable (down, lacking an extension, another Citus version): the message is
/// one line naming the node and the fix. <c>rsgeo db</c> exits with code 2 on it.
/// </summary>
public sealed class CitusNodeException : StoreException
{
    /// <param name="where">The node's directory, when the node's name does not say where it is; else null.</param>
    public CitusNodeException(string node, string? where, string problem, string fix, Exception? inner = null)
        : base($"{node}{(where is null ? "" : $" ({where})")}: {problem}; {fix}", inner ?? new InvalidOperationException(problem))
    {
        Node = node;
    }

    /// <summary>"coordinator", "worker 2" or a worker's host:port.</summary>
    public string Node { get; }
}
