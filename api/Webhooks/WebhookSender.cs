using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace Pulse.Api.Webhooks;

/// <summary>
/// Sends one attempt of one delivery: the body (JSON event or Slack message), signed per
/// Standard Webhooks. Redirects are not followed (a 3xx is a failure), no proxy is used, every
/// connection goes through the SSRF guard, and the whole request has a timeout.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    readonly HttpClient _http;
    readonly WebhookOptions _options;
    readonly WebhookTargetGuard _guard;

    public WebhookSender(WebhookTargetGuard guard, IOptions<WebhookOptions> options)
    {
        _guard = guard;
        _options = options.Value;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // A proxy would make the connection to the proxy, not the target, and skip the guard's check.
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = guard.ConnectAsync,
            ConnectTimeout = _options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxResponseHeadersLength = 64,
        };
        _http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Pulse-Webhooks/1.0");
    }

    /// <summary>Sends <paramref name="delivery"/> once, signed at <paramref name="now"/>. Throws only when <paramref name="stopping"/> is cancelled.</summary>
    public async Task<AttemptResult> SendAsync(DueDelivery delivery, DateTimeOffset now, CancellationToken stopping)
    {
        // Registration checked the URL already; check again, as the row may predate a settings change.
        if (!WebhookTargets.TryParseUrl(delivery.Url, !_guard.Enabled, out _, out var urlError))
            return new AttemptResult(false, null, "Refused before connecting: " + urlError);
        var body = delivery.Format == "slack"
            ? SlackMessage.Format(delivery.Payload, (_options.PublicUrl ?? delivery.DashboardBase).TrimEnd('/') + "/dashboard")
            : delivery.Payload;
        var bytes = Encoding.UTF8.GetBytes(body);
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("webhook-id", delivery.EventId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature",
            WebhookSignature.Header(delivery.SigningSecrets(now.ToUnixTimeMilliseconds()), delivery.EventId, timestamp, bytes));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
                return new AttemptResult(true, status, null);
            var error = status is >= 300 and < 400
                ? $"HTTP {status}: redirects are not followed" + (response.Headers.Location is { } to ? $" (Location: {to})" : "")
                : $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
            return new AttemptResult(false, status, error);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new AttemptResult(false, null, $"Timed out after {_options.Timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException ex)
        {
            return new AttemptResult(false, null, Describe(ex));
        }
    }

    static string Describe(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is WebhookTargetRefusedException refused)
                return "Refused before connecting: " + refused.Message;
        }
        return ex.InnerException is null ? ex.Message : $"{ex.Message} ({ex.InnerException.Message})";
    }

    public void Dispose() => _http.Dispose();
}
