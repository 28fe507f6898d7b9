using Microsoft.AspNetCore.Connections;

namespace Pulse.Api.Operations;

/// <summary>
/// A second server started on an address in use gets one line naming the address and what to do,
/// and exit code 1 — not the host's "Hosting failed to start" log and an unhandled-exception
/// stack trace. The host logs that failure itself before the exception reaches Program, so its
/// error-level messages are held back until the host has started (<see cref="Quiet"/>); any other
/// start-up failure still surfaces, as the unhandled exception.
/// </summary>
public static class ListenFailure
{
    const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>Holds back the host's own error messages until it has started (they are start-up failures Program reports).</summary>
    public static ILoggingBuilder Quiet(this ILoggingBuilder logging, StartupState state) =>
        logging.AddFilter(HostCategory, level => level >= LogLevel.Warning && (level < LogLevel.Error || state.Started));

    /// <summary>
    /// The line to print when <paramref name="exception"/> is a bind failure, else null.
    /// <paramref name="addresses"/> comes from <see cref="Addresses"/>, read before the host ran (a host
    /// that failed to start is disposed by the time its exception arrives).
    /// </summary>
    public static string? Describe(Exception exception, string addresses)
    {
        if (exception is ManagementListenException management)
            return $"error: cannot listen on {management.Url} (Operations:ManagementUrl): the address is already in use, " +
                "probably by another Pulse. Stop that process or set Operations:ManagementUrl to a free address.";
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is AddressInUseException)
                return $"error: cannot listen on {addresses}: the address is " +
                    "already in use, probably by another Pulse. Stop that process or start this one elsewhere with --urls http://127.0.0.1:<port>.";
        return null;
    }

    /// <summary>The addresses the main server was told to use (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, Kestrel's default).</summary>
    public static string Addresses(WebApplication app) =>
        app.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } urls ? urls.Replace(";", ", ", StringComparison.Ordinal) : "http://localhost:5000";
}

/// <summary>Set once the host has started; see <see cref="ListenFailure.Quiet"/>.</summary>
public sealed class StartupState
{
    volatile bool _started;

    public bool Started
    {
        get => _started;
        set => _started = value;
    }
}

/// <summary>The management listener's address is taken.</summary>
public sealed class ManagementListenException(string url, Exception inner)
    : Exception($"Cannot listen on {url}: the address is already in use.", inner)
{
    public string Url { get; } = url;
}
