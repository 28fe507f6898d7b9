using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pulse.Tests.Support;

/// <summary>Keeps every message the app logs, for tests that count what an operator would read.</summary>
public sealed class LogCapture : ILoggerProvider
{
    readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Message)> Entries => [.. _entries];

    /// <summary>Messages at <paramref name="level"/> or above containing <paramref name="text"/>.</summary>
    public int Count(string text, LogLevel level = LogLevel.Trace) =>
        _entries.Count(e => e.Level >= level && e.Message.Contains(text, StringComparison.OrdinalIgnoreCase));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._entries.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
