using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Polly;

namespace Pulse.Client;

/// <summary>
/// The typed <see cref="HttpClient"/> behind <see cref="IPulseClient"/>. Its <see cref="HttpClient"/>
/// comes from <c>IHttpClientFactory</c> with the base address and the standard resilience handler
/// (<see cref="PulseServiceCollectionExtensions.AddPulse"/>); like every typed client it is transient.
/// </summary>
public sealed class PulseClient : IPulseClient
{
    static readonly ProductInfoHeaderValue UserAgent = new("Pulse.Client",
        typeof(PulseClient).Assembly.GetName().Version?.ToString(3) ?? "0");

    readonly HttpClient _http;
    readonly PulseOptions _options;

    /// <summary>A client over <paramref name="http"/> (whose handlers do the retries) with these options.</summary>
    public PulseClient(HttpClient http, IOptions<PulseOptions> options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Value;
        _http.BaseAddress ??= _options.BaseAddress;
    }

    /// <inheritdoc />
    public async Task<EligibilityResult> CheckEligibilityAsync(EligibilityCheck check, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(check.User);
        var body = new EligibilityBody(check.User, check.Event, check.Locale, check.Url?.AbsoluteUri, check.Force ? true : null);
        using var request = Post("v1/eligibility", body, PulseJsonContext.Default.EligibilityBody);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await Read(response, PulseJsonContext.Default.EligibilityResult, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SavedAnswer> AnswerAsync(Answer answer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentException.ThrowIfNullOrEmpty(answer.DisplayToken);
        var body = new AnswerBody(answer.DisplayToken, answer.Score, answer.Comment, answer.FollowUp, NullIfEmpty(_options.SiteKey));
        using var request = Post("v1/responses", body, PulseJsonContext.Default.AnswerBody);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var saved = await Read(response, PulseJsonContext.Default.SavedAnswer, cancellationToken).ConfigureAwait(false);
        return saved with { Created = response.StatusCode == System.Net.HttpStatusCode.Created };
    }

    /// <inheritdoc />
    public async Task DeclineAsync(string displayToken, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(displayToken);
        var body = new TokenBody(displayToken, NullIfEmpty(_options.SiteKey));
        using var request = Post("v1/declines", body, PulseJsonContext.Default.TokenBody);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task OptOutAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        using var request = Post("v1/opt-outs", new OptOutBody(userId), PulseJsonContext.Default.OptOutBody);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task EraseUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        using var request = new HttpRequestMessage(HttpMethod.Delete, "v1/users/" + Uri.EscapeDataString(userId));
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<NpsReport> GetNpsAsync(NpsQuery? query = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/metrics/nps" + QueryString(query ?? new NpsQuery()));
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await Read(response, PulseJsonContext.Default.NpsReport, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.Authorization is null && !IsPublic(request))
            Authorize(request);
        request.Headers.UserAgent.Add(UserAgent);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new PulseUnavailableException($"Pulse at {_http.BaseAddress} could not be reached: {ex.Message}", ex);
        }
        catch (ExecutionRejectedException ex)
        {
            // The resilience pipeline's own refusals: its timeouts, or a circuit opened by repeated failures.
            throw new PulseUnavailableException($"Pulse at {_http.BaseAddress} did not answer: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PulseUnavailableException($"Pulse at {_http.BaseAddress} did not answer in time.", ex);
        }
        if (response.IsSuccessStatusCode)
            return response;
        using (response)
            throw await PulseApiException.ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The endpoints the widget calls with a display token: they take no key.</summary>
    static bool IsPublic(HttpRequestMessage request) =>
        request.Method == HttpMethod.Post && request.RequestUri is { IsAbsoluteUri: false } uri
        && uri.OriginalString is "v1/responses" or "v1/declines";

    static HttpRequestMessage Post<T>(string path, T body, JsonTypeInfo<T> type) =>
        new(HttpMethod.Post, path) { Content = JsonContent.Create(body, type) };

    void Authorize(HttpRequestMessage request)
    {
        if (string.IsNullOrEmpty(_options.SecretKey))
            throw new InvalidOperationException(
                $"{request.Method} /{request.RequestUri} needs the workspace's secret key: set Pulse:SecretKey (sk_…).");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.SecretKey);
    }

    static async Task<T> Read<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
        ?? throw new PulseApiException((int)response.StatusCode, "Empty answer", $"Pulse answered {(int)response.StatusCode} without a body.");

    static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>The query string of <c>GET /v1/metrics/nps</c>, every part escaped.</summary>
    internal static string QueryString(NpsQuery query)
    {
        if (query.From is not null && query.FromDate is not null)
            throw new ArgumentException("Set From or FromDate, not both.", nameof(query));
        if (query.To is not null && query.ToDate is not null)
            throw new ArgumentException("Set To or ToDate, not both.", nameof(query));
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null)
                parts.Add(Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value));
        }
        Add("surveyId", query.SurveyId);
        Add("from", query.From?.ToString("O", CultureInfo.InvariantCulture) ?? query.FromDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("to", query.To?.ToString("O", CultureInfo.InvariantCulture) ?? query.ToDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("interval", query.Interval switch
        {
            null => null,
            NpsInterval.Day => "day",
            NpsInterval.Week => "week",
            NpsInterval.Month => "month",
            NpsInterval.Quarter => "quarter",
            var other => throw new ArgumentOutOfRangeException(nameof(query), other, "Unknown interval."),
        });
        Add("tz", query.TimeZone);
        Add("groupBy", query.GroupBy);
        foreach (var (trait, value) in query.Where ?? new Dictionary<string, string>())
            Add($"where[{trait}]", value);
        if (parts.Count == 0)
            return "";
        var text = new StringBuilder("?");
        text.AppendJoin('&', parts);
        return text.ToString();
    }
}
