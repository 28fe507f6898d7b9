using System.Data.Common;
using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Data.Sqlite;
using Pulse.Api.Access;
using Pulse.Api.Analytics;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;

namespace Pulse.Api.FollowUps;

/// <summary>
/// <c>/v1/follow-ups</c>: the follow-up of a response — list with filters, read, open by hand,
/// change (status, outcome, assignee, due date; <c>If-Match</c> against the ETag, 412 when stale),
/// add a note — and the workspace's follow-up settings. Every change is written to the audit log
/// in the same transaction and answered with the new state.
/// </summary>
public static class FollowUpEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static IHostApplicationBuilder AddFollowUps(this IHostApplicationBuilder builder)
    {
        builder.Services.AddWriteHook<FollowUpHook>();
        builder.Services.AddSingleton<FollowUpHooks>();
        builder.Services.AddSingleton<IAccountHealthSource, AccountHealthSource>();
        builder.Services.AddOptions<FollowUpOptions>().BindConfiguration(FollowUpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<FollowUpOverdueWatcher>();
        return builder;
    }

    public static IEndpointRouteBuilder MapFollowUps(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/follow-ups").WithTags("Follow-ups").DisableValidation();
        group.MapGet("", List).WithName("ListFollowUps").RequirePermission(Permissions.ReadFollowUps).WithMetadata(TraitFilters.OpenApi)
            .WithSummary("Follow-ups by status, assignee (me, none), category, overdue and trait (where[csm]=Dana); sorted by due date or ARR; cursor paging.");
        group.MapPost("", Open).WithName("OpenFollowUp").RequirePermission(Permissions.ManageFollowUps).WithBodyLimit(4 * 1024)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Opens a follow-up on a response that has none (detractors get one by themselves).");
        group.MapGet("/settings", GetSettings).WithName("GetFollowUpSettings").RequirePermission(Permissions.ReadFollowUps)
            .WithSummary("Which categories open a follow-up by themselves, and in how many business days it is due.");
        group.MapPut("/settings", PutSettings).WithName("UpdateFollowUpSettings").RequirePermission(Permissions.ManageWorkspace).WithBodyLimit(4 * 1024)
            .WithSummary("Changes the follow-up settings given; omitted fields stay.");
        group.MapGet("/{followUpId}", Get).WithName("GetFollowUp").RequirePermission(Permissions.ReadFollowUps)
            .WithSummary("One follow-up with its response and notes; the ETag header is its version.");
        group.MapPatch("/{followUpId}", Patch).WithName("UpdateFollowUp").RequirePermission(Permissions.ManageFollowUps).WithBodyLimit(4 * 1024)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .WithSummary("Changes status, outcome, assignee or due date; send If-Match with the ETag you read (412 when someone changed it since).");
        group.MapPost("/{followUpId}/notes", AddNote).WithName("AddFollowUpNote").RequirePermission(Permissions.ManageFollowUps)
            .WithBodyLimit(FollowUpRules.MaxNoteLength * 4 + 1024)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Adds a note to the follow-up's thread (notes are only appended, so concurrent notes never overwrite each other).");
        app.MapFollowUpMetrics();
        return app;
    }

    static Results<Ok<FollowUpPage>, ValidationProblem> List([AsParameters] FollowUpQuery query, HttpRequest request, ClaimsPrincipal user, Db db, TimeProvider time)
    {
        var args = QueryArgs.For<FollowUpQuery>(request.Query);
        var statuses = Values(args, "status", query.Status, FollowUpStatus.All);
        var categories = Values(args, "category", query.Category, FollowUpRules.Categories);
        var where = args.Where(query.Where);
        var size = args.Int("limit", query.Limit, DefaultLimit, 1, MaxLimit);
        if (query.Tag is not null && TagRules.Error(query.Tag) is { } tagError)
            args.Fail("tag", tagError);
        long? responseId = null;
        if (query.ResponseId is { } rid)
        {
            if (long.TryParse(rid, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
                responseId = parsed;
            else
                args.Fail("responseId", "Give the id of a response (a positive whole number).");
        }
        bool? overdue = query.Overdue switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => Fail<bool?>(args, "overdue", "Must be true or false."),
        };
        var sort = query.Sort ?? "dueAt";
        if (!FollowUpRules.Sorts.ContainsKey(sort))
            args.Fail("sort", $"Must be one of {string.Join(", ", FollowUpRules.Sorts.Keys)}.");
        FollowUpCursor? after = null;
        if (query.Cursor is { } text)
        {
            if (FollowUpCursor.TryDecode(text, out var decoded))
                after = decoded;
            else
                args.Fail("cursor", "Not a cursor this API returned; pass nextCursor back unchanged.");
        }
        var workspaceId = user.WorkspaceId();
        using var c = db.Open();
        string? assigneeId = null;
        var unassigned = false;
        switch (query.Assignee)
        {
            case null:
                break;
            case "none":
                unassigned = true;
                break;
            case "me":
                assigneeId = user.FindFirst(SessionAuthenticationHandler.MemberClaim)?.Value;
                if (assigneeId is null)
                    args.Fail("assignee", "'me' is the signed-in member; a key is not a member. Give a member id or email instead.");
                break;
            default:
                assigneeId = MemberOf(c, null, workspaceId, query.Assignee)?.MemberId;
                if (assigneeId is null)
                    args.Fail("assignee", "Give a member of this workspace (id or email), 'me' or 'none'.");
                break;
        }
        if (!args.Ok)
            return TypedResults.ValidationProblem(args.Errors);
        var filter = new FollowUpFilter(workspaceId, statuses, assigneeId, unassigned, categories, overdue, where, sort,
            time.GetUtcNow().ToUnixTimeMilliseconds(), query.Tag?.Trim(), responseId);
        return TypedResults.Ok(FollowUpStore.Page(c, filter, after, size));
    }

    static Results<Ok<FollowUpItem>, ProblemHttpResult> Get(string followUpId, HttpContext http, ClaimsPrincipal user, Db db, TimeProvider time)
    {
        using var c = db.Open();
        if (FollowUpStore.Read(c, null, user.WorkspaceId(), followUpId, time.GetUtcNow().ToUnixTimeMilliseconds()) is not { } item)
            return NotFound(followUpId);
        return WithETag(http, item);
    }

    static async Task<Results<Created<FollowUpItem>, ValidationProblem, ProblemHttpResult>> Open(
        FollowUpOpen? body, HttpContext http, ClaimsPrincipal user, WriteQueue writer, FollowUpHooks hooks, TimeProvider time)
    {
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { \"responseId\": 123 }, optionally with assignee and dueAt.");
        var errors = new Dictionary<string, string[]>();
        if (body.ResponseId is not > 0)
            errors["responseId"] = ["Give the id of a response of this workspace."];
        if (body.DueAt is { } due && !Plausible(due))
            errors["dueAt"] = ["Give a date and time between 1970 and 2199, with an offset (2026-03-03T17:00:00Z)."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var workspaceId = user.WorkspaceId();
        var actor = Actor.Of(http);
        var responseId = body.ResponseId!.Value;
        var (outcome, item) = await writer.ExecuteAsync<(Outcome, FollowUpItem?)>((c, tx) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (FollowUpStore.UserOfResponse(c, tx, workspaceId, responseId) is not { } userId)
                return (Outcome.NoResponse, null);
            if (FollowUpStore.IdOfResponse(c, tx, workspaceId, responseId) is not null)
                return (Outcome.Conflict, null);
            string? assigneeId = null;
            if (body.Assignee is not null && (assigneeId = MemberOf(c, tx, workspaceId, body.Assignee)?.MemberId) is null)
                return (Outcome.NotMember, null);
            var id = FollowUpStore.Open(c, tx, workspaceId, responseId, assigneeId, body.DueAt?.ToUnixTimeMilliseconds(), now);
            var opened = FollowUpStore.Read(c, tx, workspaceId, id, now)!;
            Audit.Write(c, tx, actor, workspaceId, "follow_up.opened", id, now, after: Audited(opened), endUserId: userId);
            hooks.Changed(c, tx, workspaceId, null, id, now);
            return (Outcome.Done, opened);
        });
        return outcome switch
        {
            Outcome.NoResponse => Problems.NotFound($"There is no response {responseId} in this workspace; take the id from GET /v1/responses."),
            Outcome.Conflict => Problems.Of(StatusCodes.Status409Conflict, $"Response {responseId} already has a follow-up; find it with GET /v1/follow-ups and change it with PATCH."),
            Outcome.NotMember => NotMember(),
            _ => Created(http, item!),
        };
    }

    static async Task<Results<Ok<FollowUpItem>, ValidationProblem, ProblemHttpResult>> Patch(
        string followUpId, FollowUpPatch? patch, HttpContext http, ClaimsPrincipal user, WriteQueue writer, FollowUpHooks hooks, TimeProvider time)
    {
        if (patch is null)
            return Problems.BadRequest("Send a JSON object with the fields to change, e.g. { \"status\": \"in_progress\" }.");
        var errors = new Dictionary<string, string[]>();
        if (patch.Status is { } status && !FollowUpStatus.All.Contains(status))
            errors["status"] = [$"Choose a status: {string.Join(", ", FollowUpStatus.All)}."];
        if (patch.Outcome is { } result && !FollowUpStatus.Outcomes.Contains(result))
            errors["outcome"] = [$"Choose an outcome: {string.Join(", ", FollowUpStatus.Outcomes)}."];
        if (patch.DueAt is { } due && !Plausible(due))
            errors["dueAt"] = ["Give a date and time between 1970 and 2199, with an offset (2026-03-03T17:00:00Z), or null for none."];
        if (patch.Assignee is { Length: 0 })
            errors["assignee"] = ["Give a member of this workspace (id or email), or null to unassign."];
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var workspaceId = user.WorkspaceId();
        var actor = Actor.Of(http);
        var (outcome, item) = await Change(writer, time, workspaceId, followUpId, (c, tx, current, now) =>
        {
            if (ifMatch.Length > 0 && !FollowUpRules.Matches(ifMatch, current.Version))
                return (Outcome.Stale, null);
            var assigneeId = current.AssigneeId;
            if (patch.HasAssignee)
            {
                assigneeId = patch.Assignee is null ? null : MemberOf(c, tx, workspaceId, patch.Assignee)?.MemberId;
                if (patch.Assignee is not null && assigneeId is null)
                    return (Outcome.NotMember, null);
            }
            var nextStatus = patch.Status ?? current.Status;
            if (patch.Outcome is not null && nextStatus != FollowUpStatus.Closed)
                return (Outcome.OutcomeNeedsClosed, null);
            var next = new FollowUpState(
                nextStatus,
                nextStatus != FollowUpStatus.Closed ? null : patch.Outcome ?? current.Outcome,
                assigneeId,
                patch.HasDueAt ? patch.DueAt?.ToUnixTimeMilliseconds() : current.DueAt,
                nextStatus != FollowUpStatus.Closed ? null : current.Status == FollowUpStatus.Closed ? current.ClosedAt : now);
            if (next == current.State)
                return (Outcome.Done, FollowUpStore.Read(c, tx, workspaceId, followUpId, now));
            var before = FollowUpStore.Read(c, tx, workspaceId, followUpId, now)!;
            FollowUpStore.Save(c, tx, current, next, workspaceId, now);
            var after = FollowUpStore.Read(c, tx, workspaceId, followUpId, now)!;
            Audit.Write(c, tx, actor, workspaceId, "follow_up.updated", followUpId, now, Audited(before), Audited(after), current.UserId);
            hooks.Changed(c, tx, workspaceId, current.State, followUpId, now);
            return (Outcome.Done, after);
        });
        return outcome switch
        {
            Outcome.NoFollowUp => NotFound(followUpId),
            Outcome.Stale => Problems.Of(StatusCodes.Status412PreconditionFailed,
                "Someone changed this follow-up since you read it (If-Match no longer matches its ETag). Read it again, reapply your change and send the new ETag."),
            Outcome.NotMember => NotMember(),
            Outcome.OutcomeNeedsClosed => TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["outcome"] = ["An outcome is recorded when the follow-up is closed; send \"status\": \"closed\" with it."],
            }),
            _ => WithETag(http, item!),
        };
    }

    static async Task<Results<Created<FollowUpItem>, ValidationProblem, ProblemHttpResult>> AddNote(
        string followUpId, NotePost? body, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time)
    {
        if (body is null)
            return Problems.BadRequest("Send a JSON object as the body: { \"text\": \"Called Dana, fix ships Friday.\" }.");
        var text = body.Text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > FollowUpRules.MaxNoteLength)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["text"] = [$"Write a note of 1 to {FollowUpRules.MaxNoteLength} characters."] });
        if (FreeText.HasControl(text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\n', ' ').Replace('\t', ' ')))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["text"] = ["A note may break lines, but must not contain other control characters (ESC, NUL, BEL…)."] });
        var workspaceId = user.WorkspaceId();
        var actor = Actor.Of(http);
        var (outcome, item) = await Change(writer, time, workspaceId, followUpId, (c, tx, current, now) =>
        {
            if (FollowUpStore.Notes(c, tx, followUpId) >= FollowUpRules.MaxNotesPerFollowUp)
                return (Outcome.Conflict, null);
            var noteId = FollowUpStore.AddNote(c, tx, followUpId, actor, text, now);
            Audit.Write(c, tx, actor, workspaceId, "follow_up.note_added", followUpId, now, after: new { noteId, text }, endUserId: current.UserId);
            return (Outcome.Done, FollowUpStore.Read(c, tx, workspaceId, followUpId, now));
        });
        return outcome switch
        {
            Outcome.NoFollowUp => NotFound(followUpId),
            Outcome.Conflict => Problems.Of(StatusCodes.Status409Conflict,
                $"This follow-up already has {FollowUpRules.MaxNotesPerFollowUp} notes, the most it keeps; close it, or open a new one for a new conversation."),
            _ => Created(http, item!),
        };
    }

    static Ok<FollowUpSettings> GetSettings(ClaimsPrincipal user, Db db)
    {
        using var c = db.Open();
        return TypedResults.Ok(FollowUpStore.Settings(c, null, user.WorkspaceId()));
    }

    static async Task<Results<Ok<FollowUpSettings>, ValidationProblem, ProblemHttpResult>> PutSettings(
        FollowUpSettingsUpdate? update, HttpContext http, ClaimsPrincipal user, WriteQueue writer, TimeProvider time)
    {
        if (update is null)
            return Problems.BadRequest("Send a JSON object with the settings to change, e.g. { \"openCategories\": [\"detractor\", \"passive\"] }.");
        var errors = new Dictionary<string, string[]>();
        if (update.OpenCategories is { } categories && categories.Any(x => !FollowUpRules.Categories.Contains(x)))
            errors["openCategories"] = [$"List categories among {string.Join(", ", FollowUpRules.Categories)} ([] opens none by itself)."];
        if (update.SlaHours is < 1 or > FollowUpRules.MaxSlaHours)
            errors["slaHours"] = [$"Choose a number of hours from 1 to {FollowUpRules.MaxSlaHours}."];
        if (update.DueBusinessDays is < 0 or > FollowUpRules.MaxDueBusinessDays)
            errors["dueBusinessDays"] = [$"Choose a number of business days from 0 to {FollowUpRules.MaxDueBusinessDays}."];
        if (update.AccountHealth is { } health)
            CheckAccountHealth(health, errors);
        var rules = new List<(IReadOnlyList<TargetingCondition> When, string Assignee)>();
        if (update.AssignmentRules is { Count: > FollowUpRules.MaxAssignmentRules })
            errors["assignmentRules"] = [$"Keep at most {FollowUpRules.MaxAssignmentRules} rules."];
        else
            foreach (var (rule, i) in (update.AssignmentRules ?? []).Select((r, i) => (r, i)))
            {
                var field = $"assignmentRules[{i}]";
                if (rule?.When is not { Count: > 0 } when)
                    errors[field + ".when"] = ["Give one or more conditions, as in survey targeting: [{ \"trait\": \"csm\", \"op\": \"eq\", \"value\": \"Dana Lee\" }]."];
                else if (string.IsNullOrEmpty(rule.Assignee))
                    errors[field + ".assignee"] = ["Name the member who gets these follow-ups (id or email)."];
                else
                    rules.Add((SurveyValidation.CheckTargeting(when, (name, message) => errors.TryAdd(name, [message]), field + ".when"), rule.Assignee));
            }
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var workspaceId = user.WorkspaceId();
        var actor = Actor.Of(http);
        var (unknown, saved) = await writer.ExecuteAsync<(string?, FollowUpSettings?)>((c, tx) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var current = FollowUpStore.Settings(c, tx, workspaceId);
            var assigned = new List<AssignmentRule>();
            foreach (var (rule, i) in rules.Select((r, i) => (r, i)))
            {
                if (MemberOf(c, tx, workspaceId, rule.Assignee) is not { } member)
                    return ($"assignmentRules[{i}].assignee", null);
                assigned.Add(new AssignmentRule(rule.When, member.MemberId));
            }
            var fallback = current.FallbackAssignee;
            if (update.HasFallbackAssignee)
            {
                fallback = update.FallbackAssignee is null ? null : MemberOf(c, tx, workspaceId, update.FallbackAssignee)?.MemberId;
                if (update.FallbackAssignee is not null && fallback is null)
                    return ("fallbackAssignee", null);
            }
            var next = new FollowUpSettings(
                update.OpenCategories is null ? current.OpenCategories : [.. FollowUpRules.Categories.Where(update.OpenCategories.Contains)],
                update.DueBusinessDays ?? current.DueBusinessDays,
                update.AssignmentRules is null ? current.AssignmentRules : assigned,
                fallback,
                update.SlaHours ?? current.SlaHours)
            {
                AccountHealth = update.AccountHealth is { } h ? Merged(current.AccountHealth, h) : current.AccountHealth,
            };
            if (next.AccountHealth.WatchMin >= next.AccountHealth.HealthyMin)
                return ("accountHealth.watchMin", null);
            FollowUpStore.SaveSettings(c, tx, workspaceId, next, now);
            Audit.Write(c, tx, actor, workspaceId, "follow_up.settings_updated", workspaceId, now, current, next);
            return (null, next);
        });
        return unknown switch
        {
            null => TypedResults.Ok(saved!),
            "accountHealth.watchMin" => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [unknown] = ["Keep watchMin below healthyMin."] }),
            _ => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [unknown] = ["Give a member of this workspace (id or email, see GET /v1/members)."] }),
        };
    }

    /// <summary>The ranges of the account health formula (docs/decisions.md F4-2); errors name accountHealth.field.</summary>
    static void CheckAccountHealth(AccountHealthUpdate h, Dictionary<string, string[]> errors)
    {
        void Range(string field, int? value, int min, int max, string what)
        {
            if (value is { } v && (v < min || v > max))
                errors["accountHealth." + field] = [$"Choose {what} from {min} to {max}."];
        }
        Range("npsWeight", h.NpsWeight, 0, 100, "a weight");
        Range("trendWeight", h.TrendWeight, 0, 100, "a weight");
        Range("responseRateWeight", h.ResponseRateWeight, 0, 100, "a weight");
        Range("overdueWeight", h.OverdueWeight, 0, 100, "a weight");
        Range("overduePenalty", h.OverduePenalty, 0, 100, "points per overdue follow-up");
        Range("healthyMin", h.HealthyMin, 1, 100, "a score");
        Range("watchMin", h.WatchMin, 0, 99, "a score");
        Range("minResponses", h.MinResponses, 1, 1000, "a number of answers");
        if (h.NpsWeight == 0)
            errors["accountHealth.npsWeight"] = ["The NPS is the score's base: give it a weight of at least 1."];
    }

    static AccountHealthSettings Merged(AccountHealthSettings current, AccountHealthUpdate h) => new(
        h.NpsWeight ?? current.NpsWeight,
        h.TrendWeight ?? current.TrendWeight,
        h.ResponseRateWeight ?? current.ResponseRateWeight,
        h.OverdueWeight ?? current.OverdueWeight,
        h.OverduePenalty ?? current.OverduePenalty,
        h.HealthyMin ?? current.HealthyMin,
        h.WatchMin ?? current.WatchMin,
        h.MinResponses ?? current.MinResponses);

    /// <summary>Runs <paramref name="change"/> in one write command on the follow-up as it is now (NoFollowUp when there is none).</summary>
    static Task<(Outcome, FollowUpItem?)> Change(WriteQueue writer, TimeProvider time, string workspaceId, string followUpId,
        Func<DbConnection, DbTransaction, FollowUpRow, long, (Outcome, FollowUpItem?)> change) =>
        writer.ExecuteAsync((c, tx) => FollowUpStore.Find(c, tx, workspaceId, followUpId) is { } current
            ? change(c, tx, current, time.GetUtcNow().ToUnixTimeMilliseconds())
            : (Outcome.NoFollowUp, null));

    enum Outcome { Done, NoFollowUp, NoResponse, Conflict, Stale, NotMember, OutcomeNeedsClosed }

    /// <summary>A member of the workspace named by id or email, or null.</summary>
    static Membership? MemberOf(DbConnection c, DbTransaction? tx, string workspaceId, string idOrEmail) =>
        idOrEmail.Contains('@')
            ? MemberStore.FindByEmail(c, tx, idOrEmail) is { } member ? MembershipStore.Find(c, tx, workspaceId, member.Id) : null
            : MembershipStore.Find(c, tx, workspaceId, idOrEmail);

    /// <summary>What the audit log keeps of a follow-up's state (the response and notes are not repeated).</summary>
    static object Audited(FollowUpItem f) => new { responseId = f.Response.Id, f.Status, f.Outcome, assignee = f.Assignee?.Email, f.DueAt };

    static bool Plausible(DateTimeOffset at) => at.UtcDateTime.Year is >= 1970 and <= 2199;

    static T? Fail<T>(QueryArgs args, string name, string message)
    {
        args.Fail(name, message);
        return default;
    }

    /// <summary>A comma-separated list of known values, or null when absent.</summary>
    static List<string>? Values(QueryArgs args, string name, string? text, IReadOnlyList<string> known)
    {
        if (text is null)
            return null;
        var values = text.Split(',', StringSplitOptions.TrimEntries).ToList();
        if (values.Any(v => !known.Contains(v)))
            args.Fail(name, $"Must be {string.Join(", ", known)}, or several separated by commas.");
        return values;
    }

    static Ok<FollowUpItem> WithETag(HttpContext http, FollowUpItem item)
    {
        http.Response.Headers.ETag = FollowUpRules.ETag(item.Version);
        return TypedResults.Ok(item);
    }

    static Created<FollowUpItem> Created(HttpContext http, FollowUpItem item)
    {
        http.Response.Headers.ETag = FollowUpRules.ETag(item.Version);
        return TypedResults.Created($"/v1/follow-ups/{item.Id}", item);
    }

    static ProblemHttpResult NotFound(string id) =>
        Problems.NotFound($"There is no follow-up '{FreeText.Printable(id)}' in this workspace; list them with GET /v1/follow-ups.");

    static ValidationProblem NotMember() => TypedResults.ValidationProblem(new Dictionary<string, string[]>
    {
        ["assignee"] = ["Give a member of this workspace (id or email, see GET /v1/members), or null to unassign."],
    });
}
