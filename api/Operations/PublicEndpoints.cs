namespace Pulse.Api.Operations;

public static class PublicEndpoints
{
    /// <summary>
    /// The group every public (site-key) endpoint is mapped in: CORS for browsers, and the
    /// conventions the whole public surface shares: the per-client rate limit is applied here, in
    /// one place. Handlers resolve the caller with <see cref="Workspaces.SiteKeyGate"/>, which
    /// applies the per-site-key limit.
    /// </summary>
    public static RouteGroupBuilder MapPublicGroup(this IEndpointRouteBuilder app, string tag) =>
        app.MapGroup("/v1").WithTags(tag).RequireCors(OperationsExtensions.PublicCors)
            .RequireRateLimiting(RateLimitingExtensions.PublicPolicy);
}
