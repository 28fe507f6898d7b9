using Microsoft.AspNetCore.Authentication;
using Pulse.Api.Team;

namespace Pulse.Api.Workspaces;

/// <summary>Authentication of the two kinds of caller: secret keys (servers) and site keys (browsers).</summary>
public static class PulseAuth
{
    /// <summary>The default scheme: a secret key or a member's session, whichever the request carries.</summary>
    public const string CallerScheme = "Caller";

    public static IHostApplicationBuilder AddPulseAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkspaceOptions>().BindConfiguration(WorkspaceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => new WorkspaceStore(sp.GetRequiredService<Storage.Db>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<WorkspaceOptions>>().Value.CacheSeconds)));
        builder.Services.AddSingleton<SiteKeyGate>();
        builder.Services.AddSingleton<KeyUsage>();
        builder.Services.AddOptions<Team.TeamOptions>().BindConfiguration(Team.TeamOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Team.SessionStore>();
        // The default scheme forwards to the secret key when an Authorization header is sent, else
        // to the session cookie, so the request's user is known to the per-client rate limit (servers
        // and members are not anonymous clients). Every guarded endpoint names both schemes in its
        // permission's policy; the public ones that accept a key authenticate explicitly.
        builder.Services.AddAuthentication(CallerScheme)
            .AddPolicyScheme(CallerScheme, "A secret key or a member's session", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 || !context.Request.Cookies.ContainsKey(SessionAuthenticationHandler.CookieName)
                    ? SecretKeyAuthenticationHandler.SchemeName
                    : SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SecretKeyAuthenticationHandler>(SecretKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, Team.SessionAuthenticationHandler>(Team.SessionAuthenticationHandler.SchemeName, null)
            .AddPulseSingleSignOn(builder.Configuration);
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, PermissionHandler>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, Team.PermissionResultHandler>();
        builder.Services.AddAuthorizationBuilder().AddPermissionPolicies();
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations()
            .Validate<IHostEnvironment>((demo, env) => demo.Enabled != true || env.IsDevelopment(),
                "Demo:Enabled=true is allowed only in the Development environment: the demo workspace's keys are published in the README.")
            .ValidateOnStart();
        builder.Services.AddHostedService<DemoWorkspaceSeeder>();
        return builder;
    }
}
