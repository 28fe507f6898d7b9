using Microsoft.AspNetCore.Authentication;

namespace Pulse.Api.Workspaces;

/// <summary>Authentication of the two kinds of caller: secret keys (servers) and site keys (browsers).</summary>
public static class PulseAuth
{
    public static IHostApplicationBuilder AddPulseAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkspaceOptions>().BindConfiguration(WorkspaceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => new WorkspaceStore(sp.GetRequiredService<Storage.Db>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<WorkspaceOptions>>().Value.CacheSeconds)));
        builder.Services.AddSingleton<SiteKeyGate>();
        builder.Services.AddSingleton<KeyUsage>();
        builder.Services.AddOptions<Team.TeamOptions>().BindConfiguration(Team.TeamOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Team.SessionStore>();
        // No default scheme: public endpoints skip authentication entirely; the others name both
        // schemes (a secret key, a member's session) in their permission's policy, and the public
        // ones that accept a key authenticate explicitly.
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, SecretKeyAuthenticationHandler>(SecretKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, Team.SessionAuthenticationHandler>(Team.SessionAuthenticationHandler.SchemeName, null);
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
