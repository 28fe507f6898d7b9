using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Pulse.Api.Analytics;
using Pulse.Api.Surveys;

namespace Pulse.Api.FollowUps;

/// <summary>The states of a follow-up and the outcomes a closed one may record.</summary>
public static class FollowUpStatus
{
    public const string Open = "open";
    public const string InProgress = "in_progress";
    public const string Closed = "closed";

    public static readonly IReadOnlyList<string> All = [Open, InProgress, Closed];

    public static readonly IReadOnlyList<string> Outcomes = ["resolved", "no_reply", "churned"];
}

/// <summary>A member as a follow-up names them.</summary>
public sealed record FollowUpMember(string Id, string Email, string? Name);

/// <summary>Who wrote a note: a member (id, email) or a secret key (id, hint).</summary>
public sealed record NoteAuthor(string Type, string? Id, string? Label);

/// <summary>One note of a follow-up's thread.</summary>
public sealed record FollowUpNote(long Id, NoteAuthor Author, string Text, DateTimeOffset CreatedAt);

/// <summary>The answer a follow-up is about, with the trait snapshot of its display.</summary>
public sealed record FollowUpResponse(
    long Id,
    string SurveyId,
    string UserId,
    string? Email,
    int Score,
    string Category,
    string? Comment,
    JsonElement Traits,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string> Tags);

/// <summary>A follow-up as the API shows it; <c>version</c> is also its ETag.</summary>
public sealed record FollowUpItem(
    string Id,
    string Status,
    string? Outcome,
    FollowUpMember? Assignee,
    DateTimeOffset? DueAt,
    bool Overdue,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt,
    FollowUpResponse Response,
    IReadOnlyList<FollowUpNote> Notes);

/// <summary>A page of follow-ups; <c>nextCursor</c> is null on the last page.</summary>
public sealed record FollowUpPage(IReadOnlyList<FollowUpItem> Items, string? NextCursor);

/// <summary>
/// <c>PATCH /v1/follow-ups/{id}</c>: the fields to change; omitted fields stay. <c>assignee</c>
/// (a member id or email) and <c>dueAt</c> are cleared by an explicit null. An outcome needs
/// <c>status: closed</c>; reopening clears it.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FollowUpPatch(
    [property: Description("open, in_progress or closed.")] string? Status,
    [property: Description("With status closed: resolved, no_reply or churned.")] string? Outcome)
{
    readonly string? _assignee;
    readonly DateTimeOffset? _dueAt;

    /// <summary>A member of the workspace (id or email); null unassigns.</summary>
    [StringLength(254)]
    public string? Assignee
    {
        get => _assignee;
        init { _assignee = value; HasAssignee = true; }
    }

    /// <summary>When the follow-up is due (ISO 8601 with an offset); null for no due date.</summary>
    public DateTimeOffset? DueAt
    {
        get => _dueAt;
        init { _dueAt = value; HasDueAt = true; }
    }

    /// <summary>Whether the body named <c>assignee</c> (the serializer calls the setter only then); internal, so not a JSON field.</summary>
    internal bool HasAssignee { get; private init; }

    /// <summary>Whether the body named <c>dueAt</c>.</summary>
    internal bool HasDueAt { get; private init; }
}

/// <summary><c>POST /v1/follow-ups</c>: opens a follow-up on a response that has none (e.g. a passive).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FollowUpOpen(
    long? ResponseId,
    [property: StringLength(254)] string? Assignee,
    DateTimeOffset? DueAt);

/// <summary><c>POST /v1/follow-ups/{id}/notes</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record NotePost([property: StringLength(FollowUpRules.MaxNoteLength, MinimumLength = 1)] string? Text);

/// <summary>An assignment rule: when every condition holds on the display's trait snapshot, the follow-up goes to <c>assignee</c> (a member id).</summary>
public sealed record AssignmentRule(IReadOnlyList<TargetingCondition> When, string Assignee);

/// <summary>
/// Which answers open a follow-up by themselves, in how many business days it is due, and who gets
/// it: the first matching assignment rule's member, else the fallback assignee, else nobody.
/// </summary>
public sealed record FollowUpSettings(
    IReadOnlyList<string> OpenCategories,
    int DueBusinessDays,
    IReadOnlyList<AssignmentRule> AssignmentRules,
    string? FallbackAssignee,
    int SlaHours = FollowUpRules.DefaultSlaHours)
{
    /// <summary>The account health formula of <c>GET /v1/accounts</c> (docs/decisions.md F4-2).</summary>
    public AccountHealthSettings AccountHealth { get; init; } = AccountHealthSettings.Defaults;
}

/// <summary><c>accountHealth</c> of <c>PUT /v1/follow-ups/settings</c>: omitted fields stay.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AccountHealthUpdate(
    [property: Range(1, 100)][property: Description("Weight of the NPS of the last 90 days, at least 1 (default 50).")] int? NpsWeight,
    [property: Range(0, 100)][property: Description("Weight of the trend, NPS of the last 90 days minus the 90 before (default 20).")] int? TrendWeight,
    [property: Range(0, 100)][property: Description("Weight of the response rate, answers per display in the last 90 days (default 10).")] int? ResponseRateWeight,
    [property: Range(0, 100)][property: Description("Weight of the overdue detractor follow-ups part (default 20).")] int? OverdueWeight,
    [property: Range(0, 100)][property: Description("Points the overdue part loses per open overdue detractor follow-up (default 25).")] int? OverduePenalty,
    [property: Range(1, 100)][property: Description("Score at or above which an account is healthy (default 70).")] int? HealthyMin,
    [property: Range(0, 99)][property: Description("Score at or above which an account is watch, below it at_risk (default 40); less than healthyMin.")] int? WatchMin,
    [property: Range(1, 1000)][property: Description("Answers in the last 90 days below which an account is lowSample and at most watch (default 5).")] int? MinResponses);

/// <summary>An assignment rule as sent: conditions as in survey targeting, the assignee by member id or email.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AssignmentRuleInput(IReadOnlyList<TargetingCondition?>? When, [property: StringLength(254)] string? Assignee);

/// <summary><c>PUT /v1/follow-ups/settings</c>: omitted fields stay; <c>fallbackAssignee: null</c> removes it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FollowUpSettingsUpdate(
    [property: Description("Categories of any question kind (promoter, passive, detractor, satisfied, neutral, dissatisfied, easy, difficult); [] opens none by itself.")] IReadOnlyList<string>? OpenCategories,
    [property: Range(0, FollowUpRules.MaxDueBusinessDays)] int? DueBusinessDays,
    [property: Range(1, FollowUpRules.MaxSlaHours)][property: Description("Hours within which a detractor's follow-up should be touched (first note or status change); default 48.")] int? SlaHours,
    [property: Description("In order; the first whose conditions all hold on the display's traits assigns. [] removes them.")] IReadOnlyList<AssignmentRuleInput?>? AssignmentRules,
    [property: Description("The account health formula; omitted fields stay.")] AccountHealthUpdate? AccountHealth = null)
{
    readonly string? _fallback;

    /// <summary>A member (id or email) who gets follow-ups no rule assigns; null for nobody.</summary>
    [StringLength(254)]
    public string? FallbackAssignee
    {
        get => _fallback;
        init { _fallback = value; HasFallbackAssignee = true; }
    }

    /// <summary>Whether the body named <c>fallbackAssignee</c>.</summary>
    internal bool HasFallbackAssignee { get; private init; }
}

/// <summary><c>GET /v1/follow-ups</c>.</summary>
public sealed record FollowUpQuery(
    [property: Description("open, in_progress or closed, or several separated by commas (default: all).")][FromQuery(Name = "status")] string? Status,
    [property: Description("A member id or email, 'me' (the signed-in member) or 'none' (unassigned).")][FromQuery(Name = "assignee")] string? Assignee,
    [property: Description("promoter, passive or detractor, or several separated by commas.")][FromQuery(Name = "category")] string? Category,
    [property: Description("true: only follow-ups past their due date and not closed; false: only the others.")][FromQuery(Name = "overdue")] string? Overdue,
    [property: Description("dueAt (default, soonest first), -dueAt, arr or -arr (trait arr of the snapshot, largest first with '-'); no value last.")][FromQuery(Name = "sort")] string? Sort,
    [property: Description("The nextCursor of the previous page, unchanged.")][FromQuery(Name = "cursor")] string? Cursor,
    [property: Description("Follow-ups per page, 1–200 (default 50).")][FromQuery(Name = "limit")] string? Limit,
    TraitFilters? Where,
    [property: Description("Only follow-ups whose response carries this tag.")][FromQuery(Name = "tag")] string? Tag = null,
    [property: Description("Only the follow-up of this response (a response has at most one).")][FromQuery(Name = "responseId")] string? ResponseId = null);
