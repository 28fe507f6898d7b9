using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Users;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Dashboard;

/// <summary>What <c>seed</c> does: how many answers, which random seed, and whether to replace earlier demo data.</summary>
public sealed record SeedOptions(int Responses = 5000, int Seed = 8, bool Reset = false);

/// <summary>What <c>seed</c> did.</summary>
public sealed record SeedResult(bool AlreadySeeded, int ErasedUsers, int Users, int Displays, int Responses, int Declines, int Comments);

/// <summary>
/// Fills the demo workspace with <see cref="DemoStory"/>'s year through the same code the API writes
/// with — <see cref="EndUserStore"/>, <see cref="DisplayStore"/>, <see cref="ResponseStore"/> and the
/// registered <see cref="WriteHooks"/> (analytics aggregates, webhook outbox), inside write-queue
/// commands — so everything derived from responses stays consistent. Idempotent: when seeded users
/// (ids starting with <c>seed-</c>) exist it does nothing, unless <c>Reset</c> erases them first
/// (through the erasure code of <c>DELETE /v1/users/{id}</c>).
/// </summary>
public sealed class DemoSeeder(Db db, WriteQueue writer, WriteHooks hooks, TimeProvider time)
{
    const int UsersPerCommand = 200;
    static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(7);

    const string SelectSeededUsers = "SELECT user_id FROM end_users WHERE workspace_id = @WorkspaceId AND user_id LIKE 'seed-%' ORDER BY user_id";
    const string SelectSurvey = """
        SELECT id FROM surveys WHERE workspace_id = @WorkspaceId AND deleted_at IS NULL AND active = 1 AND trigger IS NULL
        ORDER BY priority, created_at, id LIMIT 1
        """;

    public async Task<SeedResult> SeedAsync(SeedOptions options, Action<string>? progress = null)
    {
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var surveyId = await writer.ExecuteAsync((c, tx) =>
        {
            if (WorkspaceStore.Find(c, tx, DemoWorkspace.Id) is null)
                WorkspaceStore.Create(c, tx, DemoWorkspace.Spec, nowMs);
            DemoWorkspace.EnsureOwner(c, tx, nowMs);
            DemoFollowUps.Prepare(c, tx, nowMs);
            return c.QuerySingleOrDefault<string>(SelectSurvey, new { WorkspaceId = DemoWorkspace.Id }, tx);
        }) ?? throw new InvalidOperationException("The demo workspace has no active page-view survey to seed (check its surveys).");

        List<string> seeded;
        using (var c = db.Open())
            seeded = c.Query<string>(SelectSeededUsers, new { WorkspaceId = DemoWorkspace.Id }).ToList();
        if (seeded.Count > 0 && !options.Reset)
            return new SeedResult(true, 0, seeded.Count, 0, 0, 0, 0);
        foreach (var chunk in seeded.Chunk(UsersPerCommand))
            await writer.ExecuteAsync((c, tx) =>
            {
                foreach (var userId in chunk)
                    PrivacyStore.Erase(c, tx, DemoWorkspace.Id, userId, hooks);
            });
        if (seeded.Count > 0)
            progress?.Invoke($"Erased {seeded.Count} earlier demo users.");

        var data = DemoStory.Generate(options.Responses, now, options.Seed);
        var byUser = data.Displays.GroupBy(d => d.User.Id).ToList();
        var written = 0;
        foreach (var chunk in byUser.Chunk(UsersPerCommand))
        {
            await writer.ExecuteAsync((c, tx) =>
            {
                foreach (var user in chunk)
                    foreach (var shown in user)
                        Write(c, tx, surveyId, shown);
            });
            written += chunk.Length;
            progress?.Invoke($"  {written} of {byUser.Count} users written");
        }
        var followUps = await writer.ExecuteAsync((c, tx) => DemoFollowUps.History(c, tx, nowMs, options.Seed));
        progress?.Invoke($"  {followUps} follow-ups given a history (notes, status changes, outcomes)");
        return new SeedResult(false, seeded.Count, byUser.Count, data.Displays.Count, data.Responses,
            data.Displays.Count(d => d.Outcome == DemoOutcome.Declined), data.Displays.Count(d => d.Comment is not null));
    }

    /// <summary>One visit, in the order the API would have written it: the user seen, the survey shown, then the answer or dismissal.</summary>
    void Write(SqliteConnection c, SqliteTransaction tx, string surveyId, DemoDisplay shown)
    {
        var user = shown.User;
        var traits = user.TraitsJson();
        EndUserStore.Upsert(c, tx, DemoWorkspace.Id, new UserSighting(user.Id, user.Email, user.SignedUpAt, traits, shown.ShownAt));
        var (display, _) = DisplayStore.Create(c, tx, DemoWorkspace.Id, surveyId, user.Id, shown.ShownAt, TokenLifetime,
            user.Email, traits, user.Locale, shown.Url);
        hooks.DisplayCreated(c, tx, display.ToWritten());
        switch (shown.Outcome)
        {
            case DemoOutcome.Answered:
                ResponseStore.Save(c, tx, display, new ResponseChange(shown.Score!.Value, shown.Comment is not null, shown.Comment, false, null),
                    shown.At, hooks);
                break;
            case DemoOutcome.Declined:
                ResponseStore.Decline(c, tx, display, shown.At, hooks);
                break;
        }
    }
}
