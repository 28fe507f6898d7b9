using Pulse.Api.Storage;
using System.Net;
using System.Text.Json;
using Pulse.Api.Team;

namespace Pulse.Tests.Support;

/// <summary>Members made straight in the database, and clients signed in as them through the real sign-in endpoint.</summary>
public static class TeamData
{
    /// <summary>A password that every rule accepts.</summary>
    public const string Password = "correct horse battery staple 42";

    /// <summary>Adds a member with a password and a role in a workspace (as accepting an invitation would); returns the member's id.</summary>
    public static string AddMember(this PulseFactory app, string workspaceId, string email, string role, string password = Password)
    {
        using var c = app.Db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        var now = app.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var member = MemberStore.FindOrCreate(c, tx, email, now);
        if (member.PasswordHash is null)
            MemberStore.SetPassword(c, tx, member.Id, Passwords.Hash(password), email.Split('@')[0]);
        MembershipStore.Put(c, tx, workspaceId, member.Id, role, now);
        tx.Commit();
        return member.Id;
    }

    /// <summary>
    /// A client that keeps cookies, signed in with <c>POST /dashboard/api/sign-in</c>, sending the
    /// session's CSRF token on every request as the dashboard does (unless <paramref name="csrf"/> is false).
    /// </summary>
    public static async Task<HttpClient> MemberClient(this PulseFactory app, string email, string password = Password, bool csrf = true)
    {
        var client = app.CookieClient();
        var response = await client.PostAsync("/dashboard/api/sign-in", Json.Of(new { email, password }));
        var session = await response.ReadJson<JsonElement>();
        if (csrf)
            client.DefaultRequestHeaders.Add(SessionAuthenticationHandler.CsrfHeader, session.GetProperty("csrfToken").GetString());
        return client;
    }

    /// <summary>Starts the server, creates a workspace named Acme with an owner, and signs the owner in.</summary>
    public static async Task<(Pulse.Api.Workspaces.CreatedWorkspace Workspace, HttpClient Owner)> AcmeWithOwner(this PulseFactory app, string ownerEmail)
    {
        _ = app.Server;
        var workspace = app.CreateWorkspace("Acme");
        app.AddMember(workspace.WorkspaceId, ownerEmail, Pulse.Api.Access.Roles.Owner);
        return (workspace, await app.MemberClient(ownerEmail));
    }

    /// <summary>A client with its own cookie jar (in memory or on the real port).</summary>
    public static HttpClient CookieClient(this PulseFactory app) => app.Address is null
        ? app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = true })
        : new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = app.Address };
}
