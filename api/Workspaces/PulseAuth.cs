using Microsoft.AspNetCore.Authentication;

namespace Pulse.Api.Workspaces;

/// <summary>Authentication of the two kinds of caller: secret keys (servers) and site keys (browsers).</summary>
public static class PulseAuth
{
    public const string SecretKeyPolicy = "secret-key";

    public static IHostApplicationBuilder AddPulseAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkspaceOptions>().BindConfiguration(WorkspaceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp => new WorkspaceStore(sp.GetRequiredService<Storage.Db>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<WorkspaceOptions>>().Value.CacheSeconds)));
        builder.Services.AddSingleton<SiteKeyGate>();
        builder.Services.AddAuthentication(SecretKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SecretKeyAuthenticationHandler>(SecretKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(SecretKeyPolicy, policy => policy
                .AddAuthenticationSchemes(SecretKeyAuthenticationHandler.SchemeName)
                .RequireClaim(SecretKeyAuthenticationHandler.WorkspaceClaim));
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<DemoWorkspaceSeeder>();
        return builder;
    }
}
