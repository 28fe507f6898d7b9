using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Storage;

namespace Pulse.Tests.Support;

/// <summary>
/// Rows the eligibility feature writes (end users, displays), created straight in the database for
/// tests of what follows a display. A display comes with the token a client would have been given.
/// </summary>
public static class TestData
{
    const string UpsertUser = """
        INSERT INTO end_users (workspace_id, user_id, email, first_seen_at, last_seen_at, traits)
        VALUES (@WorkspaceId, @UserId, @Email, @Now, @Now, @Traits)
        ON CONFLICT (workspace_id, user_id) DO UPDATE SET last_seen_at = excluded.last_seen_at
        """;

    /// <summary>The workspace's first survey (every new workspace starts with one).</summary>
    public static string SurveyId(SqliteConnection c, SqliteTransaction? tx, string workspaceId) =>
        c.ExecuteScalar<string>("SELECT id FROM surveys WHERE workspace_id = @Id ORDER BY created_at, id LIMIT 1",
            new { Id = workspaceId }, tx)!;

    /// <summary>Upserts the end user and inserts a display of the workspace's first survey inside the caller's transaction.</summary>
    public static (Display Display, string Token) CreateDisplay(SqliteConnection c, SqliteTransaction tx, string workspaceId,
        string userId, long shownAt, TimeSpan? lifetime = null, string? email = null, string traitsJson = "{}", WriteHooks? hooks = null)
    {
        c.Execute(UpsertUser, new { WorkspaceId = workspaceId, UserId = userId, Email = email, Now = shownAt, Traits = traitsJson }, tx);
        var created = DisplayStore.Create(c, tx, workspaceId, SurveyId(c, tx, workspaceId), userId, shownAt,
            lifetime ?? TimeSpan.FromDays(7), email, traitsJson, "en", "https://app.acme.test/page");
        hooks?.DisplayCreated(c, tx, created.Display.ToWritten());
        return created;
    }

    /// <summary>A display shown now (the factory's clock) to <paramref name="userId"/>, with the registered write hooks called.</summary>
    public static (Display Display, string Token) CreateDisplay(this PulseFactory app, string workspaceId, string userId,
        TimeSpan? lifetime = null, string? email = null, string traitsJson = "{}")
    {
        using var c = app.Db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        var created = CreateDisplay(c, tx, workspaceId, userId, app.Time.GetUtcNow().ToUnixTimeMilliseconds(), lifetime, email,
            traitsJson, app.Services.GetRequiredService<WriteHooks>());
        tx.Commit();
        return created;
    }

    /// <summary><c>SELECT COUNT(*) FROM</c> <paramref name="from"/>: a table, optionally with a WHERE written by the test.</summary>
    public static long Count(this PulseFactory app, string from)
    {
        using var c = app.Db.Open();
        return c.ExecuteScalar<long>($"SELECT COUNT(*) FROM {from}");
    }
}
