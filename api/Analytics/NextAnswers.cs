using System.Data.Common;
using Dapper;
using Pulse.Api.Responses;
using Pulse.Api.Storage;

namespace Pulse.Api.Analytics;

/// <summary>
/// Keeps <c>response_next</c> (migrations 0240 and 0250, decisions FM1 and FM2) in step with the answers, inside the writer's
/// transaction: per answer, its own survey, time and category, and the time and category of the same user's next answer in the order
/// <c>(created_at, id)</c>, in the same survey (<c>survey_next_*</c>) and in every survey of the workspace of
/// the answer's survey's kind (<c>kind_next_*</c>: the surveys <c>SurveyStore.Ids</c> gives a report without
/// <c>surveyId</c>). The answers of one user and scope form a list in that order; each write is an insertion
/// into it, a change of one element or a removal:
/// <list type="bullet">
/// <item>a new answer (at any time: <c>created_at</c> is taken before the write queue, and bulk paths give
/// their own) gets its successor's time and category, and becomes its predecessor's next;</item>
/// <item>a changed category is copied to the answer's own row and to the predecessor's (an answer keeps its <c>created_at</c>);</item>
/// <item>a deleted answer (an erasure, one answer at a time before the rows go) hands its next on to its
/// predecessor, and its row is deleted.</item>
/// </list>
/// Each search is one seek of <c>responses_user_time</c>, whose columns it reads.
/// </summary>
public sealed class NextAnswerHook : IResponseHook
{
    /// <summary>The workspace's surveys of the kind of <c>@SurveyId</c> (none when it is not the workspace's).</summary>
    const string KindSurveys = """
        (SELECT k.id FROM surveys k
         WHERE k.workspace_id = @WorkspaceId AND k.kind = (SELECT s.kind FROM surveys s WHERE s.id = @SurveyId AND s.workspace_id = @WorkspaceId))
        """;

    const string InSurvey = "x.survey_id = @SurveyId";

    static readonly string InKind = $"x.survey_id IN {KindSurveys}";

    /// <summary><paramref name="column"/> of the user's first answer after <c>(@At, @Id)</c> in <paramref name="scope"/>.</summary>
    static string After(string column, string scope) => $"""
        (SELECT x.{column} FROM responses x
         WHERE x.workspace_id = @WorkspaceId AND x.user_id = @UserId AND (x.created_at, x.id) > (@At, @Id) AND {scope}
         ORDER BY x.created_at, x.id LIMIT 1)
        """;

    /// <summary>The id of the user's last answer before <c>(@At, @Id)</c> in <paramref name="scope"/>.</summary>
    static string Before(string scope) => $"""
        (SELECT x.id FROM responses x
         WHERE x.workspace_id = @WorkspaceId AND x.user_id = @UserId AND (x.created_at, x.id) < (@At, @Id) AND {scope}
         ORDER BY x.created_at DESC, x.id DESC LIMIT 1)
        """;

    static readonly string Insert = $"""
        INSERT INTO response_next (response_id, survey_next_at, survey_next_category, kind_next_at, kind_next_category, survey_id, created_at, category)
        VALUES (@Id, {After("created_at", InSurvey)}, {After("category", InSurvey)}, {After("created_at", InKind)}, {After("category", InKind)},
                @SurveyId, @At, @Category)
        """;

    /// <summary>The answer's own category, copied onto its row (migration 0250, decision FM2).</summary>
    const string SetCategory = "UPDATE response_next SET category = @Category WHERE response_id = @Id";

    /// <summary>The predecessor in the survey now has <c>(@NextAt, @NextCategory)</c> as its next answer.</summary>
    static readonly string LinkInSurvey = $"""
        UPDATE response_next SET survey_next_at = @NextAt, survey_next_category = @NextCategory
        WHERE response_id = {Before(InSurvey)}
        """;

    static readonly string LinkInKind = $"""
        UPDATE response_next SET kind_next_at = @NextAt, kind_next_category = @NextCategory
        WHERE response_id = {Before(InKind)}
        """;

    const string SelectNext = """
        SELECT survey_next_at AS SurveyNextAt, survey_next_category AS SurveyNextCategory, kind_next_at AS KindNextAt, kind_next_category AS KindNextCategory
        FROM response_next WHERE response_id = @Id
        """;

    const string Delete = "DELETE FROM response_next WHERE response_id = @Id";

    public void ResponseSaved(DbConnection c, DbTransaction tx, ResponseWritten response)
    {
        if (!response.Created && response.PreviousCategory == response.Category)
            return;
        // One of these per answer on the writer's hot path: prepared once on its connection (a fresh parse and plan of
        // the four correlated lookups cost more than running them).
        if (response.Created)
            Bound(c.Prepared(tx, Insert), response).Bind("@Category", response.Category).ExecuteNonQuery();
        else
            c.Prepared(tx, SetCategory).Bind("@Id", response.ResponseId).Bind("@Category", response.Category).ExecuteNonQuery();
        // A new answer, or a new category of an answer: its predecessors' next is (its time, its category).
        Link(c, tx, response, response.CreatedAt, response.Category, response.CreatedAt, response.Category);
    }

    public void ResponseDeleted(DbConnection c, DbTransaction tx, ResponseWritten response)
    {
        // The answer is still stored (its row goes after the hooks); its predecessors take its next.
        var next = c.QuerySingleOrDefault<StoredNext>(SelectNext, new { Id = response.ResponseId }, tx) ?? new StoredNext();
        Link(c, tx, response, next.SurveyNextAt, next.SurveyNextCategory, next.KindNextAt, next.KindNextCategory);
        c.Execute(Delete, new { Id = response.ResponseId }, tx);
    }

    /// <summary>The answer's predecessors in its survey and in its kind now have these as their next answer.</summary>
    static void Link(DbConnection c, DbTransaction tx, ResponseWritten r, long? surveyNextAt, string? surveyNextCategory,
        long? kindNextAt, string? kindNextCategory)
    {
        Bound(c.Prepared(tx, LinkInSurvey), r).Bind("@NextAt", surveyNextAt).Bind("@NextCategory", surveyNextCategory).ExecuteNonQuery();
        Bound(c.Prepared(tx, LinkInKind), r).Bind("@NextAt", kindNextAt).Bind("@NextCategory", kindNextCategory).ExecuteNonQuery();
    }

    /// <summary>The parameters every statement here names: the answer and where it sits in its user's list.</summary>
    static DbCommand Bound(DbCommand command, ResponseWritten r) => command
        .Bind("@Id", r.ResponseId).Bind("@WorkspaceId", r.Display.WorkspaceId).Bind("@SurveyId", r.Display.SurveyId)
        .Bind("@UserId", r.Display.UserId).Bind("@At", r.CreatedAt);

    sealed class StoredNext
    {
        public long? SurveyNextAt { get; set; }
        public string? SurveyNextCategory { get; set; }
        public long? KindNextAt { get; set; }
        public string? KindNextCategory { get; set; }
    }
}

/// <summary>The rebuild of <c>response_next</c> from <c>responses</c> and <c>surveys</c> (the backfill of migration 0240).</summary>
public static class NextAnswers
{
    const string Backfill = """
        DELETE FROM response_next;

        INSERT INTO response_next (response_id, survey_next_at, survey_next_category, kind_next_at, kind_next_category, survey_id, created_at, category)
        SELECT r.id,
               lead(r.created_at) OVER by_survey, lead(r.category) OVER by_survey,
               CASE WHEN s.kind IS NOT NULL THEN lead(r.created_at) OVER by_kind END,
               CASE WHEN s.kind IS NOT NULL THEN lead(r.category) OVER by_kind END,
               r.survey_id, r.created_at, r.category
        FROM responses r LEFT JOIN surveys s ON s.id = r.survey_id AND s.workspace_id = r.workspace_id
        WINDOW by_survey AS (PARTITION BY r.workspace_id, r.user_id, r.survey_id ORDER BY r.created_at, r.id),
               by_kind AS (PARTITION BY r.workspace_id, r.user_id, s.kind ORDER BY r.created_at, r.id);
        """;

    /// <summary>Recomputes the table from the raw rows, in the caller's write transaction (bulk loads; <see cref="NpsAggregateHook.Rebuild"/>).</summary>
    public static void Rebuild(DbConnection c, DbTransaction tx) => c.Execute(Backfill, transaction: tx);
}
