using Pulse.Api.Analytics;
using Pulse.Api.FollowUps;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Email;

/// <summary>A detractor of the digest's period.</summary>
public sealed record DigestDetractor(long ResponseId, int Score, string Who, string? Comment);

/// <summary>An overdue follow-up of the digest.</summary>
public sealed record DigestOverdue(long ResponseId, int Score, string Who, long DueAt, string? Assignee);

/// <summary>An account whose health score fell over the period.</summary>
public sealed record DigestAccount(string AccountId, string Name, int Before, int After, string Band);

/// <summary>What one digest says: the period <c>[From, To)</c> against the one before it.</summary>
public sealed record DigestReport(
    string WorkspaceName,
    string Frequency,
    long From,
    long To,
    TimeZoneInfo Zone,
    NpsStats Current,
    NpsStats Previous,
    long DetractorCount,
    IReadOnlyList<DigestDetractor> Detractors,
    long OverdueCount,
    IReadOnlyList<DigestOverdue> Overdue,
    IReadOnlyList<DigestAccount> HealthFell);

/// <summary>When digests are due. Pure.</summary>
public static class DigestSchedule
{
    /// <summary>A digest is sent at most this late (the server was down at its hour); later, the next one is waited for.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromHours(6);

    /// <summary>
    /// The latest scheduled time at or before <paramref name="now"/>: the chosen hour (local to
    /// <paramref name="zone"/>) of every day, or of the chosen weekday (0 Sunday … 6 Saturday). An
    /// hour skipped by a daylight-saving change is taken an hour later; a repeated hour, once.
    /// </summary>
    public static DateTimeOffset LastSlot(string frequency, int day, int hour, TimeZoneInfo zone, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        for (var date = local.Date; ; date = date.AddDays(-1))
        {
            if (frequency == DigestFrequency.Weekly && (int)date.DayOfWeek != day)
                continue;
            var slot = ToUtc(date.AddHours(hour), zone);
            if (slot <= now)
                return slot;
        }
    }

    /// <summary>The period a digest at <paramref name="slot"/> covers: the day or the week (local days) before it, and the one before that.</summary>
    public static (long From, long To, long PreviousFrom) Period(string frequency, TimeZoneInfo zone, DateTimeOffset slot)
    {
        var days = frequency == DigestFrequency.Daily ? 1 : 7;
        var local = TimeZoneInfo.ConvertTime(slot, zone).DateTime;
        return (ToUtc(local.AddDays(-days), zone).ToUnixTimeMilliseconds(), slot.ToUnixTimeMilliseconds(),
            ToUtc(local.AddDays(-2 * days), zone).ToUnixTimeMilliseconds());
    }

    static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(unspecified))
            unspecified = unspecified.AddHours(1);
        // For a repeated hour, the first of the two instants (daylight time).
        var offsets = zone.IsAmbiguousTime(unspecified) ? zone.GetAmbiguousTimeOffsets(unspecified) : [zone.GetUtcOffset(unspecified)];
        return new DateTimeOffset(unspecified, offsets.Max());
    }

    /// <summary>The IANA zone of that name, or null.</summary>
    public static TimeZoneInfo? Zone(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
            return null;
        return TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone) ? zone : null;
    }
}

/// <summary>
/// Gathers a digest from the stores of the features it reports on (analytics, follow-ups, account
/// health) for one workspace and period; reads only.
/// </summary>
public sealed class DigestBuilder(Db db, MetricsStore metrics, ResponseReadStore responses, AccountStore accounts, SurveyStore surveys, WorkspaceStore workspaces)
{
    const int MaxItems = 10;

    /// <summary>A health score must fall by this many points (or into a worse band) to be reported.</summary>
    const int HealthDrop = 5;

    static readonly TimeSpan HealthWindow = TimeSpan.FromDays(180);

    public DigestReport Build(string workspaceId, string frequency, TimeZoneInfo zone, DateTimeOffset slot, long now)
    {
        var (from, to, previousFrom) = DigestSchedule.Period(frequency, zone, slot);
        var ids = surveys.Ids(workspaceId, null, SurveyUse.Reports) ?? [];
        var none = new Dictionary<string, string>(StringComparer.Ordinal);
        NpsStats Stats(long a, long b) => ids.Count == 0 ? new NpsStats()
            : metrics.Read(new MetricsQuery(ids, a, b, null, zone, null, none), [new Bucket("", a, b)]);

        var detractors = responses.List(new ResponseFilter(workspaceId, null, from, to, ["detractor"], none, null), null, MaxItems);
        FollowUpPage overdue;
        using (var c = db.Open())
            overdue = FollowUpStore.Page(c, new FollowUpFilter(workspaceId, [FollowUpStatus.Open, FollowUpStatus.InProgress], null, false, null, true, none, "dueAt", now),
                null, MaxItems);
        var overdueCount = overdue.Items.Count < MaxItems ? overdue.Items.Count : CountOverdue(workspaceId, now, none);

        return new DigestReport(workspaces.Find(workspaceId)?.Name ?? workspaceId, frequency, from, to, zone, Stats(from, to), Stats(previousFrom, from),
            detractors.Total ?? detractors.Items.Count,
            [.. detractors.Items.Select(r => new DigestDetractor(r.Id, r.Score, r.Email ?? r.UserId, string.IsNullOrWhiteSpace(r.Comment) ? null : r.Comment.Trim()))],
            overdueCount,
            [.. overdue.Items.Select(f => new DigestOverdue(f.Response.Id, f.Response.Score, f.Response.Email ?? f.Response.UserId,
                f.DueAt?.ToUnixTimeMilliseconds() ?? 0, f.Assignee is { } a ? a.Name ?? a.Email : null))],
            ids.Count == 0 ? [] : HealthFell(workspaceId, ids, from, to));
    }

    long CountOverdue(string workspaceId, long now, IReadOnlyDictionary<string, string> none)
    {
        using var c = db.Open();
        long count = 0;
        FollowUpCursor? after = null;
        while (true)
        {
            var page = FollowUpStore.Page(c, new FollowUpFilter(workspaceId, [FollowUpStatus.Open, FollowUpStatus.InProgress], null, false, null, true, none, "dueAt", now), after, 200);
            count += page.Items.Count;
            if (page.NextCursor is null || !FollowUpCursor.TryDecode(page.NextCursor, out var next))
                return count;
            after = next;
        }
    }

    /// <summary>The accounts whose health at <paramref name="to"/> is lower than at <paramref name="from"/> (by <see cref="HealthDrop"/> points or a band).</summary>
    IReadOnlyList<DigestAccount> HealthFell(string workspaceId, IReadOnlyList<string> ids, long from, long to)
    {
        var none = new Dictionary<string, string>(StringComparer.Ordinal);
        AccountList At(long at) => accounts.List(new AccountQuery(ids, at - (long)HealthWindow.TotalMilliseconds, at, none, null, 0, null, "health", false, 500,
            workspaceId, null, at));
        var before = At(from).Items.Where(a => a.Health.Score is not null).ToDictionary(a => a.AccountId, StringComparer.Ordinal);
        return [.. At(to).Items
            .Where(a => a.Health.Score is not null && before.TryGetValue(a.AccountId, out var b)
                && (b.Health.Score!.Value - a.Health.Score!.Value >= HealthDrop || Worse(a.Health.Band, b.Health.Band)))
            .Select(a => new DigestAccount(a.AccountId, a.AccountName ?? a.AccountId, before[a.AccountId].Health.Score!.Value, a.Health.Score!.Value, a.Health.Band ?? ""))
            .OrderBy(a => a.After - a.Before).ThenBy(a => a.AccountId, StringComparer.Ordinal)
            .Take(MaxItems)];
    }

    static bool Worse(string? now, string? before) =>
        now is not null && before is not null && AccountHealthMath.Bands.ToList().IndexOf(now) > AccountHealthMath.Bands.ToList().IndexOf(before);
}
