namespace Pulse.Client;

/// <summary>
/// Pulse's HTTP API as a vendor's server uses it. Register it with
/// <c>builder.Services.AddPulse()</c> and inject it. Every call throws <see cref="PulseApiException"/>
/// for an error answer and <see cref="PulseUnavailableException"/> when Pulse cannot be reached;
/// both are a <see cref="PulseException"/>. A 429 or 503 is retried after its <c>Retry-After</c>.
/// </summary>
public interface IPulseClient
{
    /// <summary>
    /// <c>POST /v1/eligibility</c> with the secret key: should this user see a survey now? When the
    /// answer is yes the display is reserved and the result carries its token and texts.
    /// </summary>
    Task<EligibilityResult> CheckEligibilityAsync(EligibilityCheck check, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>POST /v1/responses</c>: saves the answer to a display (an upsert: the first post creates,
    /// later posts with the same token update). For vendors who render their own survey.
    /// </summary>
    Task<SavedAnswer> AnswerAsync(Answer answer, CancellationToken cancellationToken = default);

    /// <summary><c>POST /v1/declines</c>: the user dismissed the survey (starts the decline cooldown). Idempotent.</summary>
    Task DeclineAsync(string displayToken, CancellationToken cancellationToken = default);

    /// <summary><c>POST /v1/opt-outs</c> with the secret key: never survey this user again (works before their first visit). Idempotent.</summary>
    Task OptOutAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>DELETE /v1/users/{id}</c> with the secret key: erases the user, their displays and responses
    /// and every row that names them (GDPR). Idempotent.
    /// </summary>
    Task EraseUserAsync(string userId, CancellationToken cancellationToken = default);

    /// <summary><c>GET /v1/metrics/nps</c> with the secret key: NPS of a range, as a series and by segment.</summary>
    Task<NpsReport> GetNpsAsync(NpsQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Calls any endpoint of the API through this client's pipeline: the base address, the secret
    /// key, retries of 429/503, and a <see cref="PulseApiException"/> for an error answer. The way to
    /// reach endpoints this version has no method for yet (survey links, when the API ships them).
    /// Returns the successful response; read it and dispose it.
    /// </summary>
    /// <param name="request">A request with a path relative to <see cref="PulseOptions.BaseUrl"/> (<c>v1/workspace</c>).</param>
    /// <param name="cancellationToken">Cancels the call, retries included.</param>
    Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken = default);
}
