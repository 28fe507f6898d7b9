using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Pulse.Api.Operations;

/// <summary>Limits of the public endpoints (section <c>RateLimiting</c>); 0 turns a limit off.</summary>
public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    /// <summary>Requests one client address may make to the public endpoints per minute (a bucket refilled over the minute).</summary>
    [Range(0, 1_000_000)]
    public int PerClientPerMinute { get; set; } = 600;

    /// <summary>Requests one workspace's site key (or its display tokens) may make per second, from all clients together.</summary>
    [Range(0, 1_000_000)]
    public int PerSiteKeyPerSecond { get; set; } = 200;
}

/// <summary>Thrown when a limit is reached outside the rate-limiting middleware; answered 429 with Retry-After.</summary>
public sealed class RateLimitedException(TimeSpan retryAfter, string detail) : Exception(detail)
{
    public TimeSpan RetryAfter { get; } = retryAfter;

    /// <summary>Whole seconds for the <c>Retry-After</c> header, at least 1.</summary>
    public static string Seconds(TimeSpan retryAfter) =>
        Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The per-site-key limit. The site key travels in the body, so the middleware cannot see it;
/// <see cref="Workspaces.SiteKeyGate"/> calls <see cref="Acquire"/> once it knows the workspace.
/// Partitions are per workspace, created only for keys that resolved, so unknown keys cannot
/// grow the table.
/// </summary>
public sealed class SiteKeyRateLimiter : IDisposable
{
    readonly PartitionedRateLimiter<string>? _limiter;
    readonly RateLimitCounters _counters;

    public SiteKeyRateLimiter(IOptions<RateLimitingOptions> options, RateLimitCounters counters)
    {
        _counters = counters;
        var perSecond = options.Value.PerSiteKeyPerSecond;
        if (perSecond > 0)
            _limiter = PartitionedRateLimiter.Create<string, string>(workspaceId =>
                RateLimitPartition.GetTokenBucketLimiter(workspaceId, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perSecond,
                    TokensPerPeriod = perSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
    }

    /// <summary>Takes one permit for <paramref name="workspaceId"/> or throws <see cref="RateLimitedException"/>.</summary>
    public void Acquire(string workspaceId)
    {
        if (_limiter is null)
            return;
        using var lease = _limiter.AttemptAcquire(workspaceId);
        if (lease.IsAcquired)
            return;
        _counters.Rejected("site_key");
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        throw new RateLimitedException(retryAfter, "This site key has made too many requests this second; retry after the time in Retry-After.");
    }

    public void Dispose() => _limiter?.Dispose();
}

/// <summary>The rate-limit rejection counter, tagged by which limit refused the request.</summary>
public sealed class RateLimitCounters(PulseMetrics metrics)
{
    readonly Counter<long> _rejections = metrics.Meter.CreateCounter<long>("pulse.rate_limit.rejections",
        description: "Requests refused with 429, by limit (client, site_key)");

    public void Rejected(string limit) => _rejections.Add(1, new KeyValuePair<string, object?>("limit", limit));
}

public static class RateLimitingExtensions
{
    /// <summary>Policy of the public group: a token bucket per client address.</summary>
    public const string PublicPolicy = "public";

    /// <summary>The framework's rate limiter with the per-client policy, and the per-site-key limiter.</summary>
    public static IServiceCollection AddPulseRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RateLimitCounters>();
        services.AddSingleton<SiteKeyRateLimiter>();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = OnRejected;
            options.AddPolicy(PublicPolicy, PerClient);
        });
        return services;
    }

    static RateLimitPartition<string> PerClient(HttpContext context)
    {
        var perMinute = context.RequestServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value.PerClientPerMinute;
        // Servers calling with a secret key (opt-outs) are not anonymous clients.
        if (perMinute == 0 || context.User.Identity?.IsAuthenticated == true)
            return RateLimitPartition.GetNoLimiter("off");
        return RateLimitPartition.GetTokenBucketLimiter(ClientKey(context.Connection.RemoteIpAddress), _ => PerMinuteBucket(perMinute));
    }

    /// <summary>
    /// A bucket of <paramref name="perMinute"/> requests refilled evenly over the minute, in steps of
    /// at least a second (the partitioned limiter replenishes on a 100 ms timer, so finer steps would
    /// be lost).
    /// </summary>
    internal static TokenBucketRateLimiterOptions PerMinuteBucket(int perMinute)
    {
        var (period, tokens) = perMinute >= 60
            ? (TimeSpan.FromSeconds(1), (int)Math.Ceiling(perMinute / 60.0))
            : (TimeSpan.FromTicks(TimeSpan.TicksPerMinute / perMinute), 1);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
        };
    }

    /// <summary>The partition of a client address: IPv4 as is, IPv6 by its /64 (one host usually owns a whole /64).</summary>
    internal static string ClientKey(IPAddress? address)
    {
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes).ToString() + "/64";
    }

    static async ValueTask OnRejected(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        http.RequestServices.GetRequiredService<RateLimitCounters>().Rejected("client");
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = RateLimitedException.Seconds(retryAfter);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = "This client has made too many requests to the public endpoints; retry after the time in Retry-After.",
            },
        });
    }
}
