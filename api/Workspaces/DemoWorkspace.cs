using Dapper;
using Microsoft.Extensions.Options;
using Pulse.Api.Storage;

namespace Pulse.Api.Workspaces;

/// <summary>Settings of the demo workspace (section <c>Demo</c>); on by default in Development only.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Seed the demo workspace at start-up. Null: only in Development.</summary>
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
}

/// <summary>Creates the demo workspace once, after migrations, when enabled.</summary>
sealed class DemoWorkspaceSeeder(
    IOptions<DemoOptions> options, IHostEnvironment env, Db db, WorkspaceStore store, TimeProvider time, ILogger<DemoWorkspaceSeeder> log)
    : IHostedService
{
    const string RevokeDemoKey = "UPDATE secret_keys SET revoked_at = @Now WHERE key_hash = @Hash AND revoked_at IS NULL";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (env.IsProduction() && options.Value.Enabled != true)
        {
            // The demo secret key is printed in the README: a database carried over from a
            // developer's machine must not keep it working in production.
            using var connection = db.Open();
            if (connection.Execute(RevokeDemoKey, new { Now = time.GetUtcNow().ToUnixTimeMilliseconds(), Hash = Keys.Hash(DemoWorkspace.SecretKey) }) > 0)
                log.LogWarning("Revoked the publicly documented demo secret key of {Id}: the demo is off in production", DemoWorkspace.Id);
            return Task.CompletedTask;
        }
        if (!(options.Value.Enabled ?? env.IsDevelopment()) || store.Find(DemoWorkspace.Id) is not null)
            return Task.CompletedTask;
        using var c = db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        if (WorkspaceStore.Find(c, tx, DemoWorkspace.Id) is null)
        {
            WorkspaceStore.Create(c, tx, DemoWorkspace.Spec, time.GetUtcNow().ToUnixTimeMilliseconds());
            log.LogInformation("Seeded the demo workspace {Id} (site key {SiteKey})", DemoWorkspace.Id, DemoWorkspace.SiteKey);
        }
        tx.Commit();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
