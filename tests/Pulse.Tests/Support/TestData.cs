using Pulse.Api.Storage;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Surveys;
using Pulse.Api.Users;

namespace Pulse.Tests.Support;

/// <summary>
/// Rows the eligibility feature writes (end users, displays), created through its write path
/// (<see cref="DisplayStore.Show"/>) for tests of what follows a display. A display comes with the
/// token a client would have been given.
/// </summary>
public static class TestData
{
    /// <summary>The workspace's first survey (every new workspace starts with one).</summary>
    public static string SurveyId(DbConnection c, DbTransaction? tx, string workspaceId) =>
        SurveyStore.List(c, tx, workspaceId).MinBy(s => (s.CreatedAt, s.Id))!.Id;

    /// <summary>
    /// Shows the workspace's first survey to <paramref name="userId"/> inside the caller's transaction,
    /// as eligibility does (the user upserted, the display, then <paramref name="hooks"/>; none by default).
    /// </summary>
    public static (Display Display, string Token) CreateDisplay(DbConnection c, DbTransaction tx, string workspaceId,
        string userId, long shownAt, TimeSpan? lifetime = null, string? email = null, string traitsJson = "{}", DisplayHooks? hooks = null) =>
        DisplayStore.Show(c, tx, hooks ?? new DisplayHooks([]), workspaceId, SurveyId(c, tx, workspaceId),
            new UserSighting(userId, email, null, traitsJson, shownAt), lifetime ?? TimeSpan.FromDays(7), email, traitsJson,
            "en", "https://app.acme.test/page");

    /// <summary>A display shown now (the factory's clock) to <paramref name="userId"/>, with the registered write hooks called.</summary>
    public static (Display Display, string Token) CreateDisplay(this PulseFactory app, string workspaceId, string userId,
        TimeSpan? lifetime = null, string? email = null, string traitsJson = "{}")
    {
        using var c = app.Db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        var created = CreateDisplay(c, tx, workspaceId, userId, app.Time.GetUtcNow().ToUnixTimeMilliseconds(), lifetime, email,
            traitsJson, app.Services.GetRequiredService<DisplayHooks>());
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
