using System.Data.Common;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Privacy;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
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
/// registered write hooks (<see cref="PrivacyHooks"/> and the display and response hooks it holds: analytics aggregates, webhook outbox), inside write-queue
/// commands — so everything derived from responses stays consistent. Idempotent: when seeded users
/// (ids starting with <c>seed-</c>) exist it does nothing, unless <c>Reset</c> erases them first
/// (through the erasure code of <c>DELETE /v1/users/{id}</c>).
/// </summary>
public sealed class DemoSeeder(Db db, WriteQueue writer, PrivacyHooks hooks, IEnumerable<IWorkspaceHook> workspaceHooks, TimeProvider time)
{
    const int UsersPerCommand = 200;
    static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(7);

    public async Task<SeedResult> SeedAsync(SeedOptions options, Action<string>? progress = null)
    {
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var (surveyId, csat, ces) = await writer.ExecuteAsync((c, tx) =>
        {
            if (WorkspaceStore.Find(c, tx, DemoWorkspace.Id) is null)
                WorkspaceStore.Create(c, tx, DemoWorkspace.Spec, nowMs, workspaceHooks);
            DemoFollowUps.Prepare(c, tx, nowMs);
            // An active page-view survey, lowest priority first (the list keeps creation order within a priority).
            var survey = SurveyStore.List(c, tx, DemoWorkspace.Id).Where(s => s.Active && s.Trigger is null)
                .OrderBy(s => s.Priority).FirstOrDefault();
            // The demo asks the reasons question, so the dashboard has reasons to show.
            if (survey is { Reasons: null })
                SurveyStore.Save(c, tx, survey with { Reasons = DemoReasons.Question, UpdatedAt = nowMs });
            var (csat, ces) = DemoKinds.Prepare(c, tx, nowMs);
            return (survey?.Id, csat.Id, ces.Id);
        });
        if (surveyId is null)
            throw new InvalidOperationException("The demo workspace has no active page-view survey to seed (check its surveys).");
        var also = new Dictionary<string, string>(StringComparer.Ordinal) { [QuestionKinds.CsatName] = csat, [QuestionKinds.CesName] = ces };

        List<string> seeded;
        using (var c = db.Open())
            seeded = EndUserStore.IdsStartingWith(c, DemoWorkspace.Id, DemoStory.UserPrefix).ToList();
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
                        Write(c, tx, surveyId, also, shown);
            });
            written += chunk.Length;
            progress?.Invoke($"  {written} of {byUser.Count} users written");
        }
        var followUps = await writer.ExecuteAsync((c, tx) => DemoFollowUps.History(c, tx, nowMs, options.Seed));
        progress?.Invoke($"  {followUps} follow-ups given a history (notes, status changes, outcomes)");
        return new SeedResult(false, seeded.Count, byUser.Count, data.Displays.Count, data.Responses,
            data.Displays.Count(d => d.Outcome == DemoOutcome.Declined), data.Displays.Count(d => d.Comment is not null));
    }

    /// <summary>
    /// The channel of a seeded display: most are in-app; some came by personal link or email, which
    /// are answered less often (a larger share of the ignored displays), so the Overview's channel
    /// comparison has something to show. Never a dismissal: the hosted page has nothing to dismiss.
    /// </summary>
    static string ChannelOf(DemoDisplay shown)
    {
        var bucket = (int)((ulong)shown.ShownAt * 2_654_435_761UL % 100);
        return shown.Outcome switch
        {
            DemoOutcome.Answered => bucket < 3 ? Channels.Email : bucket < 8 ? Channels.Link : Channels.InApp,
            DemoOutcome.Ignored => bucket < 20 ? Channels.Email : bucket < 35 ? Channels.Link : Channels.InApp,
            _ => Channels.InApp,
        };
    }

    /// <summary>
    /// One visit, in the order the API would have written it: the user seen, the survey shown, then the
    /// answer or dismissal; for some answers, a CSAT or CES survey answered two hours before (<see cref="DemoKinds"/>).
    /// </summary>
    void Write(DbConnection c, DbTransaction tx, string surveyId, IReadOnlyDictionary<string, string> also, DemoDisplay shown)
    {
        if (shown is { Outcome: DemoOutcome.Answered, Score: { } nps } && DemoKinds.Also(shown.ShownAt) is { } kind)
            WriteAnswer(c, tx, also[kind.Name], shown with { ShownAt = shown.ShownAt - 2 * 3_600_000, At = shown.ShownAt - 2 * 3_600_000 + 40_000 },
                DemoKinds.Score(kind, nps, shown.ShownAt), kind);

        var user = shown.User;
        var traits = user.TraitsJson();
        var channel = ChannelOf(shown);
        var (display, _) = DisplayStore.Show(c, tx, hooks.Displays, DemoWorkspace.Id, surveyId,
            new UserSighting(user.Id, user.Email, user.SignedUpAt, traits, shown.ShownAt), TokenLifetime, user.Email, traits, user.Locale,
            channel == Channels.InApp ? shown.Url : null, channel: channel);
        switch (shown.Outcome)
        {
            case DemoOutcome.Answered:
                ResponseStore.Save(c, tx, display, new ResponseChange(shown.Score!.Value, shown.Comment is not null, shown.Comment, false, null)
                { Reasons = DemoReasons.For(shown.Theme, NpsCategory.Of(shown.Score.Value)) }, shown.At, hooks.Responses);
                break;
            case DemoOutcome.Declined:
                ResponseStore.Decline(c, tx, display, shown.At, hooks.Responses);
                break;
        }
    }

    /// <summary>An answer to a CSAT or CES survey, in-app, with no comment or reasons.</summary>
    void WriteAnswer(DbConnection c, DbTransaction tx, string surveyId, DemoDisplay shown, int score, QuestionKind kind)
    {
        var user = shown.User;
        var traits = user.TraitsJson();
        var (display, _) = DisplayStore.Show(c, tx, hooks.Displays, DemoWorkspace.Id, surveyId,
            new UserSighting(user.Id, user.Email, user.SignedUpAt, traits, shown.ShownAt), TokenLifetime, user.Email, traits, user.Locale, shown.Url);
        ResponseStore.Save(c, tx, display, new ResponseChange(score, false, null, false, null, kind.CategoryOf(score)), shown.At, hooks.Responses);
    }
}
