using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Pulse.Api.Displays;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Eligibility;

/// <summary><c>POST /v1/eligibility</c>: should this user be surveyed now? Site key (browsers) or secret key (servers).</summary>
public static class EligibilityEndpoints
{
    public const long BodyLimit = 16 * 1024;

    public static IHostApplicationBuilder AddEligibility(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EligibilityOptions>().BindConfiguration(EligibilityOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<EligibilityService>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<EligibilityOptions>>().Value;
            return new DecisionCache(TimeSpan.FromSeconds(options.DecisionCacheSeconds), options.DecisionCacheEntries);
        });
        builder.Services.AddSingleton<DisplayHooks>();
        builder.Services.AddWriteHook<DecisionCacheHook>();
        // The public bodies and answers from generated metadata (decisions H2), ahead of the reflection
        // resolver that serves every other type. Runs after AddPulseOperations set the options.
        builder.Services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(options =>
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, PublicJson.Default));
        return builder;
    }

    public static IEndpointRouteBuilder MapEligibility(this IEndpointRouteBuilder app)
    {
        app.MapPublicGroup("Eligibility")
            .MapPost("/eligibility", Check)
            .Accepts<EligibilityRequest>(isOptional: true, "application/json")
            .WithMetadata(ReadsOwnJsonBody.Instance)
            .WithName("CheckEligibility")
            .WithSummary("Decides whether the user should see a survey now; when yes, reserves the display and returns the texts to show.")
            .WithBodyLimit(BodyLimit);
        return app;
    }

    static async Task<Results<Ok<EligibilityResponse>, ValidationProblem, ProblemHttpResult>> Check(
        HttpContext http, SiteKeyGate gate, WorkspaceStore workspaces, EligibilityService service, TimeProvider time, JsonContract<EligibilityRequest> contract)
    {
        // Read here rather than bound by the framework: one synchronous parse of the received bytes (decision H14).
        var (body, invalid) = await JsonBodies.ReadAsync(http.Request, contract.Value, BodyLimit);
        if (invalid is not null)
            return Problems.BadRequest(invalid);
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { siteKey, user: { id, email?, createdAt?, traits? }, userHash?, event?, locale?, url? }.");
        var (workspace, server, refused) = await Caller(body, http, gate, workspaces);
        if (refused is not null)
            return refused;
        var errors = EligibilityValidation.Validate(body);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, detail: "The request has invalid fields (see 'errors'); correct them and send it again. Nothing was recorded.");

        // A secret key is the vendor's own server: it needs no userHash and may force.
        if (!server && workspace!.RequireUserHash && !workspace.VerifiesUserHash(body.User!.Id!, body.UserHash, time.GetUtcNow().ToUnixTimeMilliseconds()))
            return Problems.Unauthorized(body.UserHash is null
                ? "This workspace requires 'userHash' = hex(HMAC-SHA256(identitySecret, user.id)), computed on your server."
                : "'userHash' does not match 'user.id'. Sign the exact user id with the workspace's identity secret.");
        if (body.Force == true && !server && !workspace!.TestMode)
            return Problems.Forbidden(
                "'force' is honoured only with a secret key or in a workspace in test mode, never from a production site key; leave it out.");
        if (!server)
            gate.Admit(workspace!, body.User!.Id!);

        return TypedResults.Ok(await service.CheckAsync(workspace!, body, http.Request.Headers.AcceptLanguage.ToString()));
    }

    /// <summary>
    /// The workspace asking, and whether it asks with a secret key (a server) rather than a site key;
    /// or the 401/403 problem that refuses the caller.
    /// </summary>
    static async ValueTask<(Workspace? Workspace, bool Server, ProblemHttpResult? Refused)> Caller(
        EligibilityRequest body, HttpContext http, SiteKeyGate gate, WorkspaceStore workspaces)
    {
        if (http.Request.Headers.Authorization.Count == 0)
            return gate.TryResolve(body.SiteKey, http.Request, out var site, out var problem) ? (site, false, null) : (null, false, problem);
        var result = await http.AuthenticateAsync(SecretKeyAuthenticationHandler.SchemeName);
        if (!result.Succeeded)
            return (null, true, Problems.Unauthorized(
                result.Failure?.Message ?? "The Authorization header must be 'Bearer sk_…' with a secret key of your workspace."));
        // Deciding reserves a display: a write.
        if (result.Principal.IsReadOnlyKey())
            return (null, true, Problems.Forbidden(SecretKeyAuthenticationHandler.ReadKeyRefusal));
        return workspaces.Find(result.Principal.WorkspaceId()) is { } workspace
            ? (workspace, true, null)
            : (null, true, Problems.Unauthorized("The secret key's workspace no longer exists; use a key of an existing workspace."));
    }
}
