using System.Data.Common;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Access;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;

namespace Pulse.Api.FollowUps;

/// <summary>The filters of the follow-up list, checked.</summary>
public sealed record FollowUpFilter(
    string WorkspaceId,
    IReadOnlyList<string>? Statuses,
    string? AssigneeId,
    bool Unassigned,
    IReadOnlyList<string>? Categories,
    bool? Overdue,
    IReadOnlyDictionary<string, string> Where,
    string Sort,
    long Now,
    string? Tag = null,
    long? ResponseId = null);

/// <summary>
/// SQL for follow-ups, their notes and the workspace's follow-up settings. Writes take the caller's
/// (write-queue) transaction; reads open their own connection or take the caller's.
/// </summary>
public static class FollowUpStore
{
    const string Columns = $"""
        f.id AS Id, f.status AS Status, f.outcome AS Outcome, f.assignee_id AS AssigneeId, m.email AS AssigneeEmail, m.name AS AssigneeName,
        f.due_at AS DueAt, f.version AS Version, f.created_at AS CreatedAt, f.updated_at AS UpdatedAt, f.closed_at AS ClosedAt,
        r.id AS ResponseId, r.survey_id AS SurveyId, r.user_id AS UserId, d.email AS Email, r.score AS Score, r.category AS Category,
        r.comment AS Comment, d.traits AS Traits, r.created_at AS AnsweredAt, {TagSql.TagsOfResponse} AS Tags
        """;

    const string Source = """
        FROM follow_ups f JOIN responses r ON r.id = f.response_id JOIN displays d ON d.id = r.display_id
        LEFT JOIN members m ON m.id = f.assignee_id
        """;

    const string SelectOne = $"SELECT {Columns} {Source} WHERE f.workspace_id = @WorkspaceId AND f.id = @Id";
    const string SelectByResponse = "SELECT id FROM follow_ups WHERE workspace_id = @WorkspaceId AND response_id = @ResponseId";
    const string SelectResponse = "SELECT user_id FROM responses WHERE workspace_id = @WorkspaceId AND id = @ResponseId";

    const string Insert = """
        INSERT INTO follow_ups (id, workspace_id, response_id, status, assignee_id, due_at, version, created_at, updated_at)
        VALUES (@Id, @WorkspaceId, @ResponseId, 'open', @AssigneeId, @DueAt, 1, @Now, @Now)
        """;

    const string Update = """
        UPDATE follow_ups SET status = @Status, outcome = @Outcome, assignee_id = @AssigneeId, due_at = @DueAt,
               closed_at = @ClosedAt, version = version + 1, updated_at = @Now,
               first_touched_at = COALESCE(first_touched_at, CASE WHEN status <> @Status THEN @Now END),
               overdue_sent_at = CASE WHEN due_at IS NOT DISTINCT FROM @DueAt THEN overdue_sent_at END
        WHERE workspace_id = @WorkspaceId AND id = @Id AND version = @Version
        """;

    const string InsertNote = """
        INSERT INTO follow_up_notes (follow_up_id, author_type, author_id, author_label, text, created_at)
        VALUES (@FollowUpId, @AuthorType, @AuthorId, @AuthorLabel, @Text, @Now)
        RETURNING id
        """;

    const string TouchSql = "UPDATE follow_ups SET first_touched_at = @Now WHERE id = @Id AND first_touched_at IS NULL";

    const string SelectNewlyOverdue = """
        SELECT workspace_id, id FROM follow_ups
        WHERE overdue_sent_at IS NULL AND status <> 'closed' AND due_at < @Now
        ORDER BY due_at LIMIT @Limit
        """;

    // Only the first marker announces: on PostgreSQL a second instance that read the row before the first committed
    // waits for that row, then finds it marked (READ COMMITTED re-checks the WHERE) and changes nothing.
    const string MarkOverdueSentSql = "UPDATE follow_ups SET overdue_sent_at = @Now WHERE id = @Id AND overdue_sent_at IS NULL";

    const string CountNotes = "SELECT COUNT(*) FROM follow_up_notes WHERE follow_up_id = @Id";

    const string SelectNotes = """
        SELECT id AS Id, follow_up_id AS FollowUpId, author_type AS AuthorType, author_id AS AuthorId, author_label AS AuthorLabel,
               text AS Text, created_at AS CreatedAt
        FROM follow_up_notes WHERE follow_up_id IN (SELECT value FROM json_each(@Ids)) ORDER BY id
        """;

    const string SelectSettings = """
        SELECT open_categories AS OpenCategories, due_business_days AS DueBusinessDays, assignment_rules AS AssignmentRules,
               fallback_assignee_id AS FallbackAssignee, sla_hours AS SlaHours, account_health AS AccountHealth
        FROM follow_up_settings WHERE workspace_id = @WorkspaceId
        """;

    const string UpsertSettings = """
        INSERT INTO follow_up_settings (workspace_id, open_categories, due_business_days, assignment_rules, fallback_assignee_id, sla_hours, account_health, updated_at)
        VALUES (@WorkspaceId, @OpenCategories, @DueBusinessDays, @AssignmentRules, @FallbackAssignee, @SlaHours, @AccountHealth, @Now)
        ON CONFLICT (workspace_id) DO UPDATE SET open_categories = excluded.open_categories,
            due_business_days = excluded.due_business_days, assignment_rules = excluded.assignment_rules,
            fallback_assignee_id = excluded.fallback_assignee_id, sla_hours = excluded.sla_hours,
            account_health = excluded.account_health, updated_at = excluded.updated_at
        """;

    // The ARR of the snapshot when it is a number; no value sorts last in both directions.
    const string Arr = "(CASE json_type(d.traits, '$.arr') WHEN 'integer' THEN CAST(json_extract(d.traits, '$.arr') AS DOUBLE PRECISION) WHEN 'real' THEN CAST(json_extract(d.traits, '$.arr') AS DOUBLE PRECISION) END)";
    const double Last = 9e18;

    static readonly string Filter = $"""
        WHERE f.workspace_id = @WorkspaceId
          AND (@Statuses IS NULL OR f.status IN (SELECT value FROM json_each(@Statuses)))
          AND (@AssigneeId IS NULL OR f.assignee_id = @AssigneeId)
          AND (CAST(@Unassigned AS INTEGER) = 0 OR f.assignee_id IS NULL)
          AND (@ResponseId IS NULL OR f.response_id = @ResponseId)
          AND (@Categories IS NULL OR r.category IN (SELECT value FROM json_each(@Categories)))
          AND (@Overdue IS NULL OR @Overdue = (f.status <> 'closed' AND f.due_at IS NOT NULL AND f.due_at < @Now))
          AND {TraitSql.MatchesFilters}
          AND {TagSql.HasTag}
        """;

    // One statement per order, built once from constants; values travel as parameters.
    static readonly IReadOnlyDictionary<string, string> Pages = FollowUpRules.Sorts.ToDictionary(s => s.Key, s =>
    {
        var (key, descending) = s.Value;
        var value = key == "arr" ? Arr : "f.due_at";
        var sortKey = $"CAST(COALESCE({value}, {(descending ? -Last : Last)}) AS REAL)";
        return $"""
            SELECT * FROM (SELECT {Columns}, {sortKey} AS SortKey {Source} {Filter}) AS page
            WHERE (SortKey, Id) {(descending ? "<" : ">")} (@AfterKey, @AfterId)
            ORDER BY SortKey {(descending ? "DESC" : "ASC")}, Id {(descending ? "DESC" : "ASC")}
            LIMIT @Limit
            """;
    }, StringComparer.Ordinal);

    /// <summary>The workspace's settings (read on every answer, in the writer's transaction: a prepared statement).</summary>
    public static FollowUpSettings Settings(DbConnection c, DbTransaction? tx, string workspaceId)
    {
        using var r = c.Prepared(tx, SelectSettings).Bind("@WorkspaceId", workspaceId).ExecuteReader();
        return r.Read() && r.GetRowParser<SettingsRow>()(r) is { } row
            ? new FollowUpSettings(JsonSerializer.Deserialize<List<string>>(row.OpenCategories) ?? [], (int)row.DueBusinessDays,
                JsonSerializer.Deserialize<List<AssignmentRule>>(row.AssignmentRules, Rules) ?? [], row.FallbackAssignee, (int)row.SlaHours)
            {
                AccountHealth = JsonSerializer.Deserialize<AccountHealthSettings>(row.AccountHealth, Rules) ?? AccountHealthSettings.Defaults,
            }
            : FollowUpRules.Defaults;
    }

    static readonly JsonSerializerOptions Rules = new(JsonSerializerDefaults.Web);

    public static void SaveSettings(DbConnection c, DbTransaction tx, string workspaceId, FollowUpSettings settings, long now) =>
        c.Execute(UpsertSettings, new
        {
            WorkspaceId = workspaceId,
            OpenCategories = JsonSerializer.Serialize(settings.OpenCategories),
            settings.DueBusinessDays,
            AssignmentRules = JsonSerializer.Serialize(settings.AssignmentRules, Rules),
            settings.FallbackAssignee,
            settings.SlaHours,
            AccountHealth = JsonSerializer.Serialize(settings.AccountHealth, Rules),
            Now = now,
        }, tx);

    static readonly string SelectOverdueByAccount = $"""
        SELECT account AS AccountId, count(*) AS Overdue FROM (
            SELECT {TraitSql.ValueAt("'$.\"accountId\"'")} AS account
            FROM follow_ups f JOIN responses r ON r.id = f.response_id JOIN displays d ON d.id = r.display_id
            WHERE f.workspace_id = @WorkspaceId AND f.status <> 'closed' AND f.due_at IS NOT NULL AND f.due_at < @Now
              AND r.category = 'detractor' AND r.survey_id IN @SurveyIds
        ) AS overdue
        WHERE account IS NOT NULL
        GROUP BY account
        """;

    /// <summary>Per account (trait accountId of the snapshot), the detractors' follow-ups not closed and past due at <paramref name="now"/>.</summary>
    public static IReadOnlyDictionary<string, long> OverdueDetractorsByAccount(DbConnection c, string workspaceId, IReadOnlyList<string> surveyIds, long now) =>
        c.Query<(string AccountId, long Overdue)>(c.Sql(SelectOverdueByAccount), new { WorkspaceId = workspaceId, SurveyIds = surveyIds, Now = now })
            .ToDictionary(r => r.AccountId, r => r.Overdue, StringComparer.Ordinal);

    /// <summary>The follow-up of a response, if it has one.</summary>
    /// <summary>The ids of the workspace's follow-ups on answers of users whose id starts with <paramref name="userIdPrefix"/>, oldest first.</summary>
    public static IReadOnlyList<string> IdsOfUsers(DbConnection c, DbTransaction? tx, string workspaceId, string userIdPrefix) =>
        c.Query<string>("""
            SELECT f.id FROM follow_ups f JOIN responses r ON r.id = f.response_id
            WHERE f.workspace_id = @WorkspaceId AND substr(r.user_id, 1, length(@Prefix)) = @Prefix ORDER BY f.created_at, f.id
            """, new { WorkspaceId = workspaceId, Prefix = userIdPrefix }, tx).ToList();

    public static string? IdOfResponse(DbConnection c, DbTransaction? tx, string workspaceId, long responseId) =>
        c.Prepared(tx, SelectByResponse).Bind("@WorkspaceId", workspaceId).Bind("@ResponseId", responseId).ExecuteScalar() as string;

    /// <summary>The end user who gave a response of the workspace, or null when there is no such response.</summary>
    public static string? UserOfResponse(DbConnection c, DbTransaction? tx, string workspaceId, long responseId) =>
        c.QuerySingleOrDefault<string>(SelectResponse, new { WorkspaceId = workspaceId, ResponseId = responseId }, tx);

    /// <summary>Opens a follow-up on a response (which must have none); returns its id.</summary>
    public static string Open(DbConnection c, DbTransaction tx, string workspaceId, long responseId, string? assigneeId, long? dueAt, long now)
    {
        var id = Keys.NewId("fu");
        c.Prepared(tx, Insert).Bind("@Id", id).Bind("@WorkspaceId", workspaceId).Bind("@ResponseId", responseId)
            .Bind("@AssigneeId", assigneeId).Bind("@DueAt", dueAt).Bind("@Now", now).ExecuteNonQuery();
        return id;
    }

    public static FollowUpRow? Find(DbConnection c, DbTransaction? tx, string workspaceId, string id) =>
        c.QuerySingleOrDefault<FollowUpRow>(SelectOne, new { WorkspaceId = workspaceId, Id = id }, tx);

    /// <summary><see cref="Find"/> in the writer's transaction, prepared once on its connection (every event of a follow-up reads it).</summary>
    public static FollowUpRow? FindInWriter(DbConnection c, DbTransaction tx, string workspaceId, string id)
    {
        using var reader = c.Prepared(tx, SelectOne).Bind("@WorkspaceId", workspaceId).Bind("@Id", id).ExecuteReader();
        return reader.Parse<FollowUpRow>().FirstOrDefault();
    }

    /// <summary>Writes the new state if the row is still at <paramref name="current"/>'s version; false when it moved on.</summary>
    public static bool Save(DbConnection c, DbTransaction tx, FollowUpRow current, FollowUpState next, string workspaceId, long now) =>
        c.Execute(Update, new
        {
            WorkspaceId = workspaceId,
            current.Id,
            current.Version,
            next.Status,
            next.Outcome,
            next.AssigneeId,
            next.DueAt,
            next.ClosedAt,
            Now = now,
        }, tx) == 1;

    public static long Notes(DbConnection c, DbTransaction tx, string id) => c.ExecuteScalar<long>(CountNotes, new { Id = id }, tx);

    /// <summary>Appends a note (the first one, or the first status change, is the follow-up's first touch); returns its id.</summary>
    public static long AddNote(DbConnection c, DbTransaction tx, string id, Actor author, string text, long now)
    {
        c.Execute(TouchSql, new { Id = id, Now = now }, tx);
        return c.ExecuteScalar<long>(InsertNote, new
        {
            FollowUpId = id,
            AuthorType = author.Type,
            AuthorId = author.Id,
            AuthorLabel = author.Label,
            Text = text,
            Now = now,
        }, tx);
    }

    /// <summary>Follow-ups not closed whose due date is before <paramref name="now"/> and that were not announced overdue yet.</summary>
    public static IReadOnlyList<(string WorkspaceId, string Id)> NewlyOverdue(DbConnection c, DbTransaction tx, long now, int limit) =>
        c.Query<(string, string)>(SelectNewlyOverdue, new { Now = now, Limit = limit }, tx).ToList();

    /// <summary>Marks the follow-up's overdue event as raised; false when another writer (an instance) marked it first.</summary>
    public static bool MarkOverdueSent(DbConnection c, DbTransaction tx, string id, long now) =>
        c.Execute(MarkOverdueSentSql, new { Id = id, Now = now }, tx) == 1;

    /// <summary>A follow-up with its notes, as the API shows it.</summary>
    public static FollowUpItem? Read(DbConnection c, DbTransaction? tx, string workspaceId, string id, long now) =>
        Find(c, tx, workspaceId, id) is { } row ? WithNotes(c, tx, [row], now)[0] : null;

    /// <summary>One page in the filter's order after <paramref name="after"/>; <c>limit + 1</c> rows tell whether there is more.</summary>
    public static FollowUpPage Page(DbConnection c, FollowUpFilter f, FollowUpCursor? after, int limit)
    {
        var descending = FollowUpRules.Sorts[f.Sort].Descending;
        var rows = c.Query<FollowUpRow>(Pages[f.Sort], new
        {
            f.WorkspaceId,
            Statuses = f.Statuses is null ? null : JsonSerializer.Serialize(f.Statuses),
            f.AssigneeId,
            f.Unassigned,
            Categories = f.Categories is null ? null : JsonSerializer.Serialize(f.Categories),
            f.Overdue,
            f.Now,
            Filters = JsonSerializer.Serialize(f.Where),
            f.Tag,
            f.ResponseId,
            AfterKey = after?.Key ?? (descending ? double.MaxValue : double.MinValue),
            AfterId = after?.Id ?? (descending ? "\uffff" : ""),
            Limit = limit + 1,
        }).ToList();
        var more = rows.Count > limit;
        if (more)
            rows.RemoveAt(rows.Count - 1);
        var next = more ? new FollowUpCursor(rows[^1].SortKey, rows[^1].Id).Encode() : null;
        return new FollowUpPage(WithNotes(c, null, rows, f.Now), next);
    }

    static List<FollowUpItem> WithNotes(DbConnection c, DbTransaction? tx, IReadOnlyList<FollowUpRow> rows, long now)
    {
        var notes = c.Query<NoteRow>(SelectNotes, new { Ids = JsonSerializer.Serialize(rows.Select(r => r.Id)) }, tx).ToLookup(n => n.FollowUpId);
        return rows.Select(r => r.ToItem(notes[r.Id].Select(n => n.ToNote()).ToList(), now)).ToList();
    }

    sealed class SettingsRow
    {
        public string OpenCategories { get; set; } = "[]";
        public long DueBusinessDays { get; set; }
        public string AssignmentRules { get; set; } = "[]";
        public string? FallbackAssignee { get; set; }
        public long SlaHours { get; set; }
        public string AccountHealth { get; set; } = "{}";
    }

    sealed class NoteRow
    {
        public long Id { get; set; }
        public string FollowUpId { get; set; } = "";
        public string AuthorType { get; set; } = "";
        public string? AuthorId { get; set; }
        public string? AuthorLabel { get; set; }
        public string Text { get; set; } = "";
        public long CreatedAt { get; set; }

        public FollowUpNote ToNote() => new(Id, new NoteAuthor(AuthorType, AuthorId, AuthorLabel), Text, Db.FromUnixMs(CreatedAt));
    }
}

/// <summary>The fields of a follow-up that <c>PATCH</c> changes.</summary>
public sealed record FollowUpState(string Status, string? Outcome, string? AssigneeId, long? DueAt, long? ClosedAt);

/// <summary>A follow-up joined with its response, display snapshot and assignee.</summary>
public sealed class FollowUpRow
{
    public string Id { get; set; } = "";
    public string Status { get; set; } = "";
    public string? Outcome { get; set; }
    public string? AssigneeId { get; set; }
    public string? AssigneeEmail { get; set; }
    public string? AssigneeName { get; set; }
    public long? DueAt { get; set; }
    public long Version { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public long? ClosedAt { get; set; }
    public long ResponseId { get; set; }
    public string SurveyId { get; set; } = "";
    public string UserId { get; set; } = "";
    public string? Email { get; set; }
    public long Score { get; set; }
    public string Category { get; set; } = "";
    public string? Comment { get; set; }
    public string Traits { get; set; } = "{}";
    public long AnsweredAt { get; set; }
    public double SortKey { get; set; }
    public string? Tags { get; set; }

    public FollowUpState State => new(Status, Outcome, AssigneeId, DueAt, ClosedAt);

    public FollowUpItem ToItem(IReadOnlyList<FollowUpNote> notes, long now)
    {
        using var traits = JsonDocument.Parse(Traits);
        return new FollowUpItem(Id, Status, Outcome,
            AssigneeId is null ? null : new FollowUpMember(AssigneeId, AssigneeEmail ?? "", AssigneeName),
            DueAt is { } due ? Db.FromUnixMs(due) : null,
            FollowUpRules.IsOverdue(Status, DueAt, now),
            Version,
            Db.FromUnixMs(CreatedAt),
            Db.FromUnixMs(UpdatedAt),
            ClosedAt is { } closed ? Db.FromUnixMs(closed) : null,
            new FollowUpResponse(ResponseId, SurveyId, UserId, Email, (int)Score, Category, Comment, traits.RootElement.Clone(), Db.FromUnixMs(AnsweredAt),
                TagSql.Parse(Tags)),
            notes);
    }
}
