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
            .RequireRateLimiting(RateLimitingExtensions.PublicPolicy)
            .Public("called by browsers with a site key (and by servers with a key, checked by the handler)");
}
