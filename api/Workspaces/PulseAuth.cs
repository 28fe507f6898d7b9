using Microsoft.AspNetCore.Authentication;
using Pulse.Api.Access;

namespace Pulse.Api.Workspaces;

/// <summary>Authentication of the two kinds of caller: secret keys (servers) and site keys (browsers).</summary>
public static class PulseAuth
{

    public static IHostApplicationBuilder AddPulseAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkspaceOptions>().BindConfiguration(WorkspaceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var notifications = sp.GetRequiredService<Storage.CacheNotifications>();
            var store = new WorkspaceStore(sp.GetRequiredService<Storage.Db>(),
                TimeSpan.FromSeconds(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<WorkspaceOptions>>().Value.CacheSeconds), notifications);
            notifications.Subscribe(WorkspaceStore.Topic, store.Evict);
            return store;
        });
        builder.Services.AddSingleton<SiteKeyGate>();
        builder.Services.AddSingleton<IWorkspaceGrant, ViewersMayExport>();
        builder.Services.AddSingleton<KeyUsage>();
        // Members' sessions, the default scheme and the permission policies are added by AddTeam.
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, SecretKeyAuthenticationHandler>(SecretKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations()
            .Validate<IHostEnvironment>((demo, env) => demo.Enabled != true || env.IsDevelopment(),
                "Demo:Enabled=true is allowed only in the Development environment: the demo workspace's keys are published in the README.")
            .ValidateOnStart();
        builder.Services.AddHostedService<DemoWorkspaceSeeder>();
        return builder;
    }
}

/// <summary>The workspace setting <c>viewersMayExport</c>: its viewers also hold <c>responses:export</c> (decision P12).</summary>
public sealed class ViewersMayExport(WorkspaceStore workspaces) : IWorkspaceGrant
{
    public bool Grants(string workspaceId, string role, string permission) =>
        role == Roles.Viewer && permission == Permissions.ExportResponses && workspaces.Find(workspaceId)?.ViewersMayExport == true;
}
