using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pulse.Tests.Support;

/// <summary>A logger provider that keeps every Error (and worse) the application logs, for tests that a bad request logs none.</summary>
public sealed class ErrorLog : ILoggerProvider
{
    readonly ConcurrentQueue<string> _errors = new();

    public IReadOnlyCollection<string> Errors => _errors;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    sealed class Logger(ErrorLog owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                owner._errors.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
