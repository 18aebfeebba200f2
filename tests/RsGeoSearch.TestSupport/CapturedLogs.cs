using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RsGeoSearch.TestSupport;

/// <summary>A logger provider that keeps every formatted log line (with exception text and state values) in memory.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    public IEnumerable<string> AtLeast(LogLevel level) => Lines.Where(l => Enum.Parse<LogLevel>(l.Split(' ', 2)[0]) >= level);

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            owner.Lines.Enqueue($"{LogLevel.Trace} {category} scope {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> kvs ? string.Join(" ", kvs.Select(kv => $"{kv.Key}={kv.Value}")) : "";
            owner.Lines.Enqueue($"{logLevel} {category} {formatter(state, exception)} {values} {exception}");
        }
    }
}
