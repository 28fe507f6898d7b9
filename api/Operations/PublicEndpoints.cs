namespace Pulse.Api.Operations;

public static class PublicEndpoints
{
    /// <summary>
    /// The group every public (site-key) endpoint is mapped in: CORS for browsers, and the
    /// conventions the whole public surface shares: the per-client rate limit is applied here, in
    /// one place. Handlers resolve the caller with <see cref="Workspaces.SiteKeyGate"/> and spend the
    /// per-site-key limit with <see cref="Workspaces.SiteKeyGate.Admit"/> once the call is valid. Their bodies are validated by each feature's own pure rules
    /// (which name the JSON field), so the framework's data-annotation filter, which would find
    /// nothing to check, is left off this hot path.
    /// </summary>
    public static RouteGroupBuilder MapPublicGroup(this IEndpointRouteBuilder app, string tag) =>
        app.MapGroup("/v1").WithTags(tag).RequireCors(OperationsExtensions.PublicCors).DisableValidation()
            .WithMetadata(SiteKeyEndpoint.Instance)
            .RequireRateLimiting(RateLimitingExtensions.PublicPolicy)
            .Public("called by browsers with a site key (and by servers with a key, checked by the handler)");
}

/// <summary>Endpoint metadata of the public (site-key) group (<see cref="PublicEndpoints.MapPublicGroup"/>).</summary>
public sealed class SiteKeyEndpoint
{
    public static readonly SiteKeyEndpoint Instance = new();

    /// <summary>
    /// Whether authenticating this request can only find no one (decision H14): a site-key endpoint, no
    /// <c>Authorization</c> header and no member's session cookie. The default scheme would forward to the
    /// secret-key handler, which answers "no result" without a header; the remote sign-in handlers only
    /// answer their own callback paths, which are no endpoint of this group. The browser's eligibility
    /// and answer calls are such requests, so they skip the authentication middleware.
    /// </summary>
    public static bool FindsNoOne(HttpContext context) =>
        context.Request.Headers.Authorization.Count == 0
        && context.GetEndpoint()?.Metadata.GetMetadata<SiteKeyEndpoint>() is not null
        && !context.Request.Cookies.ContainsKey(Team.SessionAuthenticationHandler.CookieName);
}
