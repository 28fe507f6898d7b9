using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Access;
using Pulse.Api.FollowUps;
using Pulse.Api.Surveys;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Dashboard;

/// <summary>A CSM of the demo story as a member of the demo workspace (analyst: manages follow-ups, reads everything).</summary>
public sealed record DemoCsm(string Name, string MemberId, string Email);

/// <summary>
/// The follow-up side of the demo: the story's CSMs become members of the demo workspace (signing in
/// with the demo owner's published password, so the demo can be seen as a CSM sees it), assignment
/// rules send each CSM's accounts to them (except Luis Ortega's, which stay unassigned), and after the
/// answers are written the follow-ups they opened get a believable past: most older ones touched
/// within a day or two and closed with an outcome and notes, some left overdue, recent ones open or
/// in progress. Written through <see cref="FollowUpStore"/> and the audit log, as the API writes them.
/// </summary>
public static class DemoFollowUps
{
    const long Hour = 60L * 60 * 1000;
    const long Day = 24 * Hour;

    /// <summary>The CSMs who are members (Luis Ortega is not: his accounts' follow-ups stay unassigned).</summary>
    public static readonly IReadOnlyList<DemoCsm> Csms =
    [
        new("Dana Whitfield", "mem_demo_csm_dana", "dana.whitfield@example.com"),
        new("Priya Raman", "mem_demo_csm_priya", "priya.raman@example.com"),
        new("Mei Chen", "mem_demo_csm_mei", "mei.chen@example.com"),
        new("Tom Becker", "mem_demo_csm_tom", "tom.becker@example.com"),
    ];

    static readonly string[] Touches =
    [
        "Called {0}'s admin; they walked me through the problem on a screen share.",
        "Emailed {0} to book a call this week.",
        "Left a voicemail with {0}; following up by email.",
        "Spoke with {0}: the issue is real, opened a ticket with support and linked it here.",
        "Met {0} in our quarterly review; this came up first.",
    ];

    static readonly Dictionary<string, string[]> Closings = new(StringComparer.Ordinal)
    {
        ["resolved"] =
        [
            "Fix shipped; {0} confirmed it works for them now.",
            "Set up the training session {0} asked for; they are happy with the outcome.",
            "Turned on the feature flag for {0}; the workaround covers them until the release.",
        ],
        ["no_reply"] =
        [
            "Three attempts over two weeks, no answer from {0}. Closing; will raise it at renewal.",
            "No reply from {0} after two emails and a call.",
        ],
        ["churned"] =
        [
            "{0} is not renewing; moving to a competitor that has the scheduling they need.",
            "{0} confirmed cancellation at the end of the term; feedback passed to product.",
        ],
    };

    /// <summary>Creates the CSM members and the assignment rules (before the answers are written, so the rules assign them).</summary>
    public static void Prepare(DbConnection c, DbTransaction tx, long now)
    {
        var rules = new List<AssignmentRule>();
        foreach (var csm in Csms)
        {
            var member = MemberStore.FindOrCreate(c, tx, csm.Email, now, csm.MemberId);
            if (member.PasswordHash is null)
                MemberStore.SetPassword(c, tx, member.Id, Passwords.Hash(DemoWorkspace.Owner.Password), csm.Name);
            if (MembershipStore.Role(c, tx, DemoWorkspace.Id, member.Id) is null)
                MembershipStore.Put(c, tx, DemoWorkspace.Id, member.Id, Roles.Analyst, now);
            rules.Add(new AssignmentRule([new TargetingCondition("csm", "eq", JsonSerializer.SerializeToElement(csm.Name))], member.Id));
        }
        var settings = FollowUpStore.Settings(c, tx, DemoWorkspace.Id);
        FollowUpStore.SaveSettings(c, tx, DemoWorkspace.Id, settings with { AssignmentRules = rules }, now);
    }

    /// <summary>Gives the seeded follow-ups their past (same seed, same history).</summary>
    public static int History(DbConnection c, DbTransaction tx, long now, int seed)
    {
        var random = new Random(seed);
        var ids = FollowUpStore.IdsOfUsers(c, tx, DemoWorkspace.Id, "seed-");
        var owner = new Actor(Actor.MemberType, DemoWorkspace.Owner.Id, DemoWorkspace.Owner.Email, null);
        var changed = 0;
        foreach (var id in ids)
        {
            var row = FollowUpStore.Find(c, tx, DemoWorkspace.Id, id)!;
            var age = now - row.CreatedAt;
            var roll = random.NextDouble();
            // Older than two months: all but a few closed; two weeks to two months: most; the last fortnight: a mix;
            // the last two days: mostly untouched.
            var (touch, close) = age > 60 * Day ? (roll < 0.99, roll < 0.985)
                : age > 14 * Day ? (roll < 0.93, roll < 0.85)
                : age > 2 * Day ? (roll < 0.7, roll < 0.3)
                : (roll < 0.25, false);
            if (!touch || (row.AssigneeId is null && age < 14 * Day))
                continue; // untouched: open, overdue once its day has passed; recent unassigned ones wait in the Inbox
            using var traits = JsonDocument.Parse(row.Traits);
            var account = traits.RootElement.TryGetProperty("accountName", out var name) ? name.GetString() ?? "the customer" : "the customer";
            var actor = Csms.FirstOrDefault(m => m.MemberId == row.AssigneeId) is { } csm ? new Actor(Actor.MemberType, csm.MemberId, csm.Email, null) : owner;
            var touchedAt = Math.Min(now - Hour, row.CreatedAt + (long)(Hour * (1 + (random.NextDouble() * random.NextDouble() * 70))));
            Note(c, tx, row, actor, string.Format(CultureInfo.InvariantCulture, Touches[random.Next(Touches.Length)], account), touchedAt);
            // In progress: the next step (a call, a fix) is due a few days after the first touch.
            var nextStep = touchedAt + (long)(Day * (3 + (random.NextDouble() * 7)));
            row = Change(c, tx, row, actor, row.State with { Status = FollowUpStatus.InProgress, AssigneeId = actor.Id, DueAt = nextStep }, touchedAt);
            if (close)
            {
                var outcomeRoll = random.NextDouble();
                var outcome = outcomeRoll < 0.62 ? "resolved" : outcomeRoll < 0.9 ? "no_reply" : "churned";
                var closedAt = Math.Min(now - Hour, touchedAt + (long)(Day * (0.5 + (random.NextDouble() * 9))));
                var texts = Closings[outcome];
                Note(c, tx, row, actor, string.Format(CultureInfo.InvariantCulture, texts[random.Next(texts.Length)], account), closedAt);
                Change(c, tx, row, actor, row.State with { Status = FollowUpStatus.Closed, Outcome = outcome, ClosedAt = closedAt }, closedAt);
            }
            changed++;
        }
        return changed;
    }

    static void Note(DbConnection c, DbTransaction tx, FollowUpRow row, Actor actor, string text, long at)
    {
        var noteId = FollowUpStore.AddNote(c, tx, row.Id, actor, text, at);
        Audit.Write(c, tx, actor, DemoWorkspace.Id, "follow_up.note_added", row.Id, at, after: new { noteId, text }, endUserId: row.UserId);
    }

    static FollowUpRow Change(DbConnection c, DbTransaction tx, FollowUpRow row, Actor actor, FollowUpState next, long at)
    {
        FollowUpStore.Save(c, tx, row, next, DemoWorkspace.Id, at);
        Audit.Write(c, tx, actor, DemoWorkspace.Id, "follow_up.updated", row.Id, at,
            new { responseId = row.ResponseId, row.Status, row.Outcome }, new { responseId = row.ResponseId, next.Status, next.Outcome, assignee = actor.Label },
            row.UserId);
        return FollowUpStore.Find(c, tx, DemoWorkspace.Id, row.Id)!;
    }
}
