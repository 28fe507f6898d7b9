using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Cli;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Bench;

/// <summary>Data the scenarios start from, written straight into a database file before the API opens it.</summary>
static class Seed
{
    /// <summary>A migrated database with one workspace; returns its credentials.</summary>
    public static (Db Db, CreatedWorkspace Workspace) NewDatabase(string path, bool requireUserHash = true)
    {
        var db = new Db($"Data Source={path}", Path.GetDirectoryName(path)!);
        using var c = db.Open();
        Migrator.Apply(c, TimeProvider.System);
        using var tx = c.BeginTransaction(deferred: false);
        var ws = WorkspaceStore.Create(c, tx, new NewWorkspace("Bench", ["http://localhost:*"], "Bench App", requireUserHash),
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), PulseCli.WorkspaceHooks);
        tx.Commit();
        return (db, ws);
    }

    /// <summary><paramref name="count"/> fresh displays (one user each), returning their tokens.</summary>
    public static List<string> Displays(Db db, string workspaceId, int count)
    {
        var tokens = new List<string>(count);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var c = db.Open();
        c.Execute("PRAGMA synchronous=OFF");
        using var tx = c.BeginTransaction(deferred: false);
        var surveyId = c.ExecuteScalar<string>("SELECT id FROM surveys WHERE workspace_id = @workspaceId LIMIT 1", new { workspaceId }, tx)!;
        for (var i = 0; i < count; i++)
        {
            var userId = $"ingest-{i}";
            c.Execute("""
                INSERT INTO end_users (workspace_id, user_id, first_seen_at, last_seen_at, traits)
                VALUES (@workspaceId, @userId, @now, @now, '{}')
                """, new { workspaceId, userId, now }, tx);
            tokens.Add(DisplayStore.Create(c, tx, workspaceId, surveyId, userId, now, TimeSpan.FromDays(7), null, "{}", "en", null).Token);
        }
        tx.Commit();
        return tokens;
    }
}
