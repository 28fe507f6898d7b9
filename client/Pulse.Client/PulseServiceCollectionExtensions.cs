using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Pulse.Client;

/// <summary>Registers Pulse in a host: <c>builder.Services.AddPulse();</c>.</summary>
public static class PulseServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> behind <see cref="IPulseClient"/>; its resilience options are named <c>Pulse-standard</c>.</summary>
    public const string HttpClientName = "Pulse";

    /// <summary>
    /// Binds <see cref="PulseOptions"/> from the configuration section <c>Pulse</c> (then
    /// <paramref name="configure"/>), validates them when the host starts, and registers
    /// <see cref="IPulseClient"/> as a typed client of <c>IHttpClientFactory</c> with the standard
    /// resilience handler: 429 and 503 answers are retried after their <c>Retry-After</c>; nothing
    /// else is retried, so a call that may have taken effect is never sent twice.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Changes applied after the configuration, e.g. keys from a vault.</param>
    /// <returns>The client's builder, to add handlers or configure its primary handler.</returns>
    public static IHttpClientBuilder AddPulse(this IServiceCollection services, Action<PulseOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<PulseOptions>().BindConfiguration(PulseOptions.Section);
        if (configure is not null)
            options.Configure(configure);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PulseOptions>, PulseOptionsValidator>());

        var http = services.AddHttpClient<IPulseClient, PulseClient>(HttpClientName, (sp, client) =>
            client.BaseAddress = sp.GetRequiredService<IOptions<PulseOptions>>().Value.BaseAddress);
        http.AddStandardResilienceHandler().Configure((resilience, sp) =>
        {
            PulseOptions pulse;
            try
            {
                pulse = sp.GetRequiredService<IOptions<PulseOptions>>().Value;
            }
            catch (OptionsValidationException)
            {
                return;   // reported once, by the validation of PulseOptions itself
            }
            Configure(resilience, pulse);
        });
        return http;
    }

    /// <summary>The standard pipeline, narrowed to Pulse's contract: retry only what Pulse says was not done.</summary>
    internal static void Configure(HttpStandardResilienceOptions resilience, PulseOptions pulse)
    {
        resilience.TotalRequestTimeout.Timeout = pulse.Timeout;
        // The attempt timeout may not exceed the total; the circuit breaker samples at least two attempts.
        resilience.AttemptTimeout.Timeout = pulse.Timeout < resilience.AttemptTimeout.Timeout ? pulse.Timeout : resilience.AttemptTimeout.Timeout;
        resilience.Retry.MaxRetryAttempts = Math.Max(pulse.MaxRetries, 1);
        var maxRetryAfter = pulse.MaxRetryAfter;
        var retries = pulse.MaxRetries;
        resilience.Retry.ShouldHandle = args => ValueTask.FromResult(retries > 0 && ShouldRetry(args.Outcome, maxRetryAfter));
        resilience.Retry.ShouldRetryAfterHeader = true;
    }

    /// <summary>
    /// 429 and 503 mean Pulse did nothing (rate limit, full or busy write queue) and says when to
    /// come back. Anything else — other 5xx, timeouts, a dropped connection — may have been done, and
    /// eligibility reserves a display, so it is not retried.
    /// </summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, TimeSpan maxRetryAfter)
    {
        if (outcome.Result is not { StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable } response)
            return false;
        var wait = PulseApiException.RetryAfterOf(response.Headers.RetryAfter);
        return wait is null || wait <= maxRetryAfter;
    }
}
