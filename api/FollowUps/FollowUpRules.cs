using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Pulse.Api.Eligibility;
using Pulse.Api.Responses;
using Pulse.Api.Surveys;

namespace Pulse.Api.FollowUps;

/// <summary>The pure rules of follow-ups: due dates in business days, the ETag, the list's sort orders and cursor.</summary>
public static class FollowUpRules
{
    public const int MaxNoteLength = 4000;
    public const int MaxDueBusinessDays = 30;
    public const int MaxNotesPerFollowUp = 500;

    public const int MaxAssignmentRules = 50;

    /// <summary>The usual rule: a detractor hears back within two days.</summary>
    public const int DefaultSlaHours = 48;

    public const int MaxSlaHours = 24 * 90;

    /// <summary>By default the negative category of every kind opens a follow-up: detractors, dissatisfied (CSAT), difficult (CES).</summary>
    public static readonly FollowUpSettings Defaults = new([.. QuestionKinds.All.Select(k => k.Negative).Distinct()], 1, [], null);

    /// <summary>
    /// The member a new follow-up goes to: the first rule whose conditions all hold on the trait
    /// snapshot and whose member is still in the workspace (<paramref name="isMember"/>), else the
    /// fallback if still a member, else nobody.
    /// </summary>
    public static string? Assignee(FollowUpSettings settings, IReadOnlyDictionary<string, JsonElement> traits, Func<string, bool> isMember)
    {
        foreach (var rule in settings.AssignmentRules)
            if (rule.When.All(c => Targeting.Holds(c, traits)) && isMember(rule.Assignee))
                return rule.Assignee;
        return settings.FallbackAssignee is { } fallback && isMember(fallback) ? fallback : null;
    }

    /// <summary>Every category of every question kind (<see cref="QuestionKinds.AllCategories"/>).</summary>
    public static IReadOnlyList<string> Categories => QuestionKinds.AllCategories;

    /// <summary>
    /// <paramref name="days"/> business days after <paramref name="from"/> (UTC): each day forward
    /// that is not a Saturday or Sunday counts one; the time of day stays. 0 is due at once.
    /// </summary>
    public static long AddBusinessDays(long from, int days)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(from);
        while (days > 0)
        {
            at = at.AddDays(1);
            if (at.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
                days--;
        }
        return at.ToUnixTimeMilliseconds();
    }

    /// <summary>Past its due date and not closed.</summary>
    public static bool IsOverdue(string status, long? dueAt, long now) => status != FollowUpStatus.Closed && dueAt is { } due && due < now;

    /// <summary>The strong ETag of a follow-up's version.</summary>
    public static string ETag(long version) => string.Create(CultureInfo.InvariantCulture, $"\"{version}\"");

    /// <summary>Whether an <c>If-Match</c> value names <paramref name="version"/> (or is <c>*</c>).</summary>
    public static bool Matches(string ifMatch, long version)
    {
        var tag = ETag(version);
        foreach (var part in ifMatch.Split(','))
        {
            var value = part.Trim();
            if (value == "*" || value == tag)
                return true;
        }
        return false;
    }

    /// <summary>The list's orders: name as the query gives it → whether descending.</summary>
    public static readonly IReadOnlyDictionary<string, (string Key, bool Descending)> Sorts = new Dictionary<string, (string, bool)>(StringComparer.Ordinal)
    {
        ["dueAt"] = ("dueAt", false),
        ["-dueAt"] = ("dueAt", true),
        ["arr"] = ("arr", false),
        ["-arr"] = ("arr", true),
    };
}

/// <summary>A position in the list's order: the sort value and id of the last item seen.</summary>
public readonly record struct FollowUpCursor(double Key, string Id)
{
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Key:R} {Id}")));

    public static bool TryDecode(string text, out FollowUpCursor cursor)
    {
        cursor = default;
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split(' ');
            if (parts.Length == 2 && parts[1].StartsWith("fu_", StringComparison.Ordinal)
                && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var key) && double.IsFinite(key))
            {
                cursor = new FollowUpCursor(key, parts[1]);
                return true;
            }
        }
        catch (FormatException)
        {
        }
        return false;
    }
}
