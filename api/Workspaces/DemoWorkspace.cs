using Microsoft.Extensions.Options;
using Pulse.Api.Access;
using Pulse.Api.Storage;

namespace Pulse.Api.Workspaces;

/// <summary>Settings of the demo workspace (section <c>Demo</c>); it exists only in Development.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Seed the demo workspace at start-up in Development (null: yes). True in any other environment stops the start.</summary>
    public bool? Enabled { get; set; }
}

/// <summary>The fixed, documented demo credentials. Never use them outside a developer's machine.</summary>
public static class DemoWorkspace
{
    public const string Id = "ws_demo";
    public const string Name = "Demo";
    public const string ProductName = "Acme HR";
    public const string SiteKey = "pk_demo_0000000000000000";
    public const string SecretKey = "sk_demo_00000000000000000000000000000000";
    public const string IdentitySecret = "ids_demo_0000000000000000000000000000000";
    public static readonly string[] Origins = ["http://localhost:*", "http://127.0.0.1:*"];

    public static NewWorkspace Spec => new(Name, Origins, ProductName, RequireUserHash: false,
        Id: Id, SiteKey: SiteKey, SecretKey: SecretKey, IdentitySecret: IdentitySecret);

    /// <summary>
    /// The second demo workspace, for samples/VendorApp: identity verification on, so the userHash
    /// the sample's server computes is really checked (a static page cannot sign, so the first demo
    /// workspace, which samples/plain-html uses, has it off).
    /// </summary>
    public static class Verified
    {
        public const string Id = "ws_demo_verified";
        public const string Name = "Demo (identity verified)";
        public const string SiteKey = "pk_demo_verified_00000000";
        public const string SecretKey = "sk_demo_verified_0000000000000000000000000";
        public const string IdentitySecret = "ids_demo_verified_0000000000000000000000";

        public static NewWorkspace Spec => new(Name, Origins, ProductName, RequireUserHash: true,
            Id: Id, SiteKey: SiteKey, SecretKey: SecretKey, IdentitySecret: IdentitySecret);
    }

    /// <summary>Both demo workspaces, created in Development and refused elsewhere.</summary>
    public static readonly IReadOnlyList<NewWorkspace> Specs = [Spec, Verified.Spec];

    /// <summary>The demo owner: signs in to the dashboard with the password in the README, owner of both demo workspaces.</summary>
    public static class Owner
    {
        public const string Id = "mem_demo_owner";
        public const string Email = "demo.owner@example.com";
        public const string Password = "open-the-demo-dashboard";
        public const string Name = "Demo owner";
    }

    /// <summary>
    /// Whether calls as <paramref name="workspaceId"/> are refused here: the demo workspace and its
    /// keys work only in Development, since its keys are printed in the README. Elsewhere (Staging
    /// too) a database carried over from a developer's machine must not answer to them.
    /// </summary>
    public static bool IsRefused(string workspaceId, IHostEnvironment env) => workspaceId is Id or Verified.Id && !env.IsDevelopment();

    /// <summary>The detail of a refused demo call.</summary>
    public const string Refusal = "The demo workspaces (ws_demo, ws_demo_verified) and their published keys work only in the Development environment.";
}

/// <summary>Creates the demo workspace once, after migrations, when enabled.</summary>
sealed class DemoWorkspaceSeeder(
    IOptions<DemoOptions> options, IHostEnvironment env, Db db, IEnumerable<IWorkspaceHook> hooks, TimeProvider time,
    ILogger<DemoWorkspaceSeeder> log)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!env.IsDevelopment())
        {
            // The demo secret key is printed in the README: a database carried over from a
            // developer's machine must not keep it (or any key of the demo workspace) working.
            using var connection = db.Open();
            var revoked = WorkspaceStore.RevokeAll(connection, DemoWorkspace.Specs.Select(w => w.Id!).ToArray(),
                DemoWorkspace.Specs.Select(w => Keys.Hash(w.SecretKey!)).ToArray(), time.GetUtcNow().ToUnixTimeMilliseconds());
            if (revoked > 0)
                log.LogWarning("Revoked {Count} secret key(s) of the demo workspaces: they work only in Development", revoked);
            return Task.CompletedTask;
        }
        if (!(options.Value.Enabled ?? env.IsDevelopment()))
            return Task.CompletedTask;
        using var c = db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        foreach (var spec in DemoWorkspace.Specs.Where(w => WorkspaceStore.Find(c, tx, w.Id!) is null))
        {
            WorkspaceStore.Create(c, tx, spec, time.GetUtcNow().ToUnixTimeMilliseconds(), hooks);
            log.LogInformation("Seeded the demo workspace {Id} (site key {SiteKey})", spec.Id, spec.SiteKey);
        }
        tx.Commit();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
