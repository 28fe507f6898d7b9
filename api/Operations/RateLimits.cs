using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Pulse.Api.Storage;

namespace Pulse.Api.Operations;

/// <summary>Rate limits (section <c>RateLimiting</c>); 0 turns a limit off.</summary>
public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    /// <summary>Requests one client address may make to the public endpoints per minute (a bucket refilled over the minute).</summary>
    [Range(0, 1_000_000)]
    public int PerClientPerMinute { get; set; } = 600;

    /// <summary>Requests one workspace's site key (or its display tokens) may make per second, from all clients together.</summary>
    [Range(0, 1_000_000)]
    public int PerSiteKeyPerSecond { get; set; } = 200;

    /// <summary>
    /// Requests one end user (a user id, with a site key or through their display tokens) may make
    /// per minute, taken before the workspace's per-site-key budget so one user cannot spend it for all.
    /// </summary>
    [Range(0, 1_000_000)]
    public int PerEndUserPerMinute { get; set; } = 60;

    /// <summary>Requests one secret key may make per second, to any endpoint.</summary>
    [Range(0, 1_000_000)]
    public int PerSecretKeyPerSecond { get; set; } = 200;

    /// <summary>
    /// How many Pulse instances share the traffic behind the load balancer. Each instance keeps its own buckets
    /// with every limit divided by this number (rounded up), so the limits hold for the whole installation when
    /// the load balancer spreads requests evenly (decision I4).
    /// </summary>
    [Range(1, 1000)]
    public int Instances { get; set; } = 1;

    /// <summary>This instance's share of <paramref name="limit"/> (0 stays off).</summary>
    public int Share(int limit) => limit <= 0 ? 0 : (limit + Instances - 1) / Instances;
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
/// A token bucket per key, for limits the rate-limiting middleware cannot apply because the key is
/// known only inside the request (a site key in the body, a user id, a secret key once it is
/// checked). Partitions are created only for keys that passed their checks, and idle full buckets
/// are dropped by the partitioned limiter, so invented keys cannot grow the table.
/// </summary>
public abstract class KeyedRateLimiter : IDisposable
{
    readonly PartitionedRateLimiter<string>? _limiter;
    readonly RateLimitCounters _counters;
    readonly string _limit;
    readonly string _detail;

    /// <param name="bucket">The bucket of one key; null turns the limit off.</param>
    /// <param name="limit">The tag of the rejection counter.</param>
    /// <param name="detail">The problem's detail when a key is refused.</param>
    protected KeyedRateLimiter(TokenBucketRateLimiterOptions? bucket, RateLimitCounters counters, string limit, string detail)
    {
        _counters = counters;
        _limit = limit;
        _detail = detail;
        if (bucket is not null)
            _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket));
    }

    /// <summary>A bucket of <paramref name="perSecond"/> refilled every second; null when 0 (off).</summary>
    protected static TokenBucketRateLimiterOptions? PerSecond(int perSecond) => perSecond <= 0 ? null : new TokenBucketRateLimiterOptions
    {
        TokenLimit = perSecond,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
    };

    /// <summary>Takes one permit for <paramref name="key"/> or throws <see cref="RateLimitedException"/> (429).</summary>
    public void Acquire(string key)
    {
        if (_limiter is null)
            return;
        using var lease = _limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
            return;
        _counters.Rejected(_limit);
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        throw new RateLimitedException(retryAfter, _detail);
    }

    public void Dispose()
    {
        _limiter?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// The per-site-key limit, per workspace. The site key travels in the body, so the middleware cannot
/// see it; <see cref="Workspaces.SiteKeyGate"/> takes a permit once it knows the workspace.
/// </summary>
public sealed class SiteKeyRateLimiter(IOptions<RateLimitingOptions> options, RateLimitCounters counters)
    : KeyedRateLimiter(PerSecond(options.Value.Share(options.Value.PerSiteKeyPerSecond)), counters, "site_key",
        "This site key has made too many requests this second; retry after the time in Retry-After.");

/// <summary>
/// The per-end-user limit inside a workspace's per-site-key budget: <see cref="Workspaces.SiteKeyGate"/>
/// takes a permit for the user (their id, also when they call with a display token) before the
/// workspace's, so one user — even one with a valid userHash — cannot spend the budget of the others.
/// </summary>
public sealed class EndUserRateLimiter(IOptions<RateLimitingOptions> options, RateLimitCounters counters)
    : KeyedRateLimiter(options.Value.PerEndUserPerMinute <= 0 ? null : RateLimitingExtensions.PerMinuteBucket(options.Value.Share(options.Value.PerEndUserPerMinute)),
        counters, "end_user", "This user has made too many requests; retry after the time in Retry-After.")
{
    /// <summary>Takes one permit for the user <paramref name="userId"/> of <paramref name="workspaceId"/>.</summary>
    public void Acquire(string workspaceId, string userId) => Acquire(workspaceId.Length + ":" + workspaceId + userId);
}

/// <summary>The per-secret-key limit, taken by <see cref="Workspaces.SecretKeyAuthenticationHandler"/> once a key is valid.</summary>
public sealed class SecretKeyRateLimiter(IOptions<RateLimitingOptions> options, RateLimitCounters counters)
    : KeyedRateLimiter(PerSecond(options.Value.Share(options.Value.PerSecretKeyPerSecond)), counters, "secret_key",
        "This secret key has made too many requests this second; retry after the time in Retry-After.");

/// <summary>The rate-limit rejection counter, tagged by which limit refused the request.</summary>
public sealed class RateLimitCounters(PulseMetrics metrics)
{
    readonly Counter<long> _rejections = metrics.Meter.CreateCounter<long>("pulse.rate_limit.rejections",
        description: "Requests refused with 429, by limit (client, site_key, end_user, secret_key)");

    public void Rejected(string limit) => _rejections.Add(1, new KeyValuePair<string, object?>("limit", limit));
}

public static class RateLimitingExtensions
{
    /// <summary>Policy of the public group: a token bucket per client address.</summary>
    public const string PublicPolicy = "public";

    /// <summary>The framework's rate limiter with the per-client policy, and the per-site-key, per-end-user and per-secret-key limiters.</summary>
    public static IServiceCollection AddPulseRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RateLimitCounters>();
        services.AddSingleton<SiteKeyRateLimiter>();
        services.AddSingleton<EndUserRateLimiter>();
        services.AddSingleton<SecretKeyRateLimiter>();
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
        var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value;
        var perMinute = limits.Share(limits.PerClientPerMinute);
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
