namespace Pulse.Api.Webhooks;

/// <summary>
/// When a failed delivery is tried again: exponential backoff with ±20 % jitter, so endpoints
/// that fail together do not get their retries back together. Pure.
/// </summary>
public static class RetrySchedule
{
    public const double Jitter = 0.2;

    /// <summary>
    /// The wait after the <paramref name="failedAttempts"/>-th failed attempt:
    /// <c>base × 2^(n−1) × (1 − 0.2 + 0.4 × random)</c>, with <paramref name="random01"/> in [0, 1).
    /// </summary>
    public static TimeSpan Delay(int failedAttempts, TimeSpan baseDelay, double random01)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 30);
        var factor = 1 - Jitter + 2 * Jitter * Math.Clamp(random01, 0, 1);
        return TimeSpan.FromMilliseconds(baseDelay.TotalMilliseconds * Math.Pow(2, exponent) * factor);
    }
}
