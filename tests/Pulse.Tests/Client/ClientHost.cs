using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Pulse.Api.Workspaces;
using Pulse.Client;

namespace Pulse.Tests.Client;

/// <summary>
/// <see cref="IPulseClient"/> as a vendor's app registers it (<c>AddPulse()</c> bound from
/// configuration), pointed at a real API on loopback, with <see cref="Attempts"/> recording every
/// HTTP attempt the resilience handler makes.
/// </summary>
sealed class ClientHost : IDisposable
{
    readonly ServiceProvider _services;

    ClientHost(ServiceProvider services, AttemptLog attempts)
    {
        _services = services;
        Attempts = attempts;
    }

    public AttemptLog Attempts { get; }

    /// <summary>A typed client from the factory, as a controller or endpoint would get it.</summary>
    public IPulseClient Client => _services.GetRequiredService<IPulseClient>();

    public static ClientHost For(Uri pulse, CreatedWorkspace workspace, IDictionary<string, string?>? settings = null) =>
        Create(new Dictionary<string, string?>
        {
            ["Pulse:BaseUrl"] = pulse.ToString(),
            ["Pulse:SiteKey"] = workspace.SiteKey,
            ["Pulse:SecretKey"] = workspace.SecretKey,
            ["Pulse:IdentitySecret"] = workspace.IdentitySecret,
        }, settings);

    public static ClientHost Create(IDictionary<string, string?> configuration, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(configuration);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
            settings[key] = value;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var attempts = new AttemptLog();
        // Added after AddPulse's resilience handler, so it sits inside it and sees every attempt.
        services.AddPulse().AddHttpMessageHandler(() => new AttemptHandler(attempts));
        return new ClientHost(services.BuildServiceProvider(), attempts);
    }

    public void Dispose() => _services.Dispose();
}

/// <summary>One HTTP attempt: when it was sent, when its answer came, the status and Retry-After.</summary>
sealed record Attempt(string Method, string Path, long SentAt, long AnsweredAt, int Status, TimeSpan? RetryAfter);

sealed class AttemptLog
{
    readonly ConcurrentQueue<Attempt> _attempts = new();

    /// <summary>Called with each answer before the client sees it (to release a lock, cancel a token…).</summary>
    public Action<Attempt>? OnAnswer { get; set; }

    public IReadOnlyList<Attempt> All => [.. _attempts];

    public void Clear() => _attempts.Clear();

    public void Add(Attempt attempt)
    {
        _attempts.Enqueue(attempt);
        OnAnswer?.Invoke(attempt);
    }

    /// <summary>Time from the answer of attempt <paramref name="i"/> to the sending of the next one.</summary>
    public TimeSpan WaitAfter(int i) => Stopwatch.GetElapsedTime(All[i].AnsweredAt, All[i + 1].SentAt);
}

sealed class AttemptHandler(AttemptLog log) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sent = Stopwatch.GetTimestamp();
        var response = await base.SendAsync(request, cancellationToken);
        log.Add(new Attempt(request.Method.Method, request.RequestUri!.AbsolutePath, sent, Stopwatch.GetTimestamp(),
            (int)response.StatusCode, response.Headers.RetryAfter?.Delta));
        return response;
    }
}
