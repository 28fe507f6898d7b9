using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Pulse.Api.Storage;

namespace Pulse.Api.Operations;

/// <summary>
/// Bounds the work the main listener takes on: at most <c>Operations:MaxConcurrentRequests</c>
/// requests run at once and <c>Operations:RequestQueueLimit</c> wait (oldest first); anything
/// beyond is answered 503 with <c>Retry-After</c> at once, before routing or reading the body,
/// so overload costs a few microseconds per refused request instead of a queue (and latency) that
/// grows without bound. Health checks on the main listener are never refused.
/// </summary>
public sealed class OverloadGate : IDisposable
{
    readonly ConcurrencyLimiter? _limiter;
    readonly Counter<long> _rejected;

    public OverloadGate(IOptions<OperationsOptions> options, PulseMetrics metrics)
    {
        var o = options.Value;
        if (o.MaxConcurrentRequests > 0)
            _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = o.MaxConcurrentRequests,
                QueueLimit = o.RequestQueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        _rejected = metrics.Meter.CreateCounter<long>("pulse.overload.rejections",
            description: "Requests answered 503 at once because the main listener had MaxConcurrentRequests running and RequestQueueLimit waiting");
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (_limiter is null || context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz"))
        {
            await next(context);
            return;
        }
        var lease = _limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            try
            {
                lease = await _limiter.AcquireAsync(1, context.RequestAborted);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return; // the client gave up while waiting
            }
        }
        using (lease)
        {
            if (lease.IsAcquired)
            {
                await next(context);
                return;
            }
        }
        _rejected.Add(1);
        context.Response.Headers.RetryAfter = "1";
        await Problems.Of(StatusCodes.Status503ServiceUnavailable,
            "The server is working on as many requests as it takes at once; retry after the time in Retry-After.").ExecuteAsync(context);
    }

    public void Dispose() => _limiter?.Dispose();
}
