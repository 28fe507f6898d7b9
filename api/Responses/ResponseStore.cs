using System.Data.Common;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Storage;

namespace Pulse.Api.Responses;

/// <summary>
/// What a post changes: the score always; comment and follow-up answers only when sent. The category
/// is the score's in the survey's kind (null: an NPS score's).
/// </summary>
public sealed record ResponseChange(int Score, bool SetComment, string? Comment, bool SetFollowUp, string? FollowUpJson, string? Category = null)
{
    /// <summary>The reasons sent (ids sorted), or null to keep the saved ones (cleared when the category changes).</summary>
    public ChosenReasons? Reasons { get; init; }
}

/// <summary>The response after a save, and whether the save changed anything.</summary>
public sealed record SaveResult(ResponseWritten Response, bool Changed);

/// <summary>
/// The one store with SQL for <c>responses</c>, and the write path of answers and declines (which mark
/// the display through <see cref="DisplayStore"/>). Every method runs inside a write-queue command
/// (the caller's transaction), so its read-decide-write is atomic.
/// </summary>
public static class ResponseStore
{
    const string SelectCurrent = """
        SELECT id AS Id, display_id AS DisplayId, score AS Score, category AS Category, comment AS Comment,
               follow_up AS FollowUp, created_at AS CreatedAt, updated_at AS UpdatedAt
        FROM responses WHERE display_id = @DisplayId
        """;

    const string Insert = """
        INSERT INTO responses (display_id, workspace_id, survey_id, user_id, score, category, comment, follow_up, created_at, updated_at)
        VALUES (@DisplayId, @WorkspaceId, @SurveyId, @UserId, @Score, @Category, @Comment, @FollowUp, @Now, @Now)
        RETURNING id
        """;

    const string Update = """
        UPDATE responses SET score = @Score, category = @Category, comment = @Comment, follow_up = @FollowUp, updated_at = @Now
        WHERE id = @Id
        """;

    const string SelectOfUser = """
        SELECT id AS Id, display_id AS DisplayId, score AS Score, category AS Category, comment AS Comment,
               follow_up AS FollowUp, created_at AS CreatedAt, updated_at AS UpdatedAt
        FROM responses WHERE workspace_id = @WorkspaceId AND user_id = @UserId
        """;

    const string DeleteOfUserSql = "DELETE FROM responses WHERE workspace_id = @WorkspaceId AND user_id = @UserId";

    /// <summary>
    /// Creates the response of <paramref name="display"/> or updates it (the upsert behind 201/200),
    /// marks the display answered on the first answer and calls the hooks. A post that changes
    /// nothing writes nothing and calls no hook. Null when the display no longer exists (erased).
    /// </summary>
    public static SaveResult? Save(DbConnection c, DbTransaction tx, Display display, ResponseChange change, long now, ResponseHooks hooks)
    {
        var current = ReadCurrent(c, tx, display.Id);
        var category = change.Category ?? NpsCategory.Of(change.Score);
        if (current is null)
        {
            // The first answer marks the display; a display already marked without a response, or
            // gone, was erased meanwhile (its response is deleted with it, in one transaction).
            if (!DisplayStore.MarkAnswered(c, tx, display.Id, now) && !DisplayStore.Exists(c, tx, display.Id))
                return null;
            var comment = change.SetComment ? change.Comment : null;
            var followUp = change.SetFollowUp ? change.FollowUpJson : null;
            // The first answer is the hot path of ingestion: its statements are prepared once on the writer's connection.
            var newId = (long)c.Prepared(tx, Insert)
                .Bind("@DisplayId", display.Id).Bind("@WorkspaceId", display.WorkspaceId).Bind("@SurveyId", display.SurveyId)
                .Bind("@UserId", display.UserId).Bind("@Score", change.Score).Bind("@Category", category).Bind("@Comment", comment)
                .Bind("@FollowUp", followUp).Bind("@Now", now)
                .ExecuteScalar()!;
            var reasons = change.Reasons ?? ChosenReasons.None;
            if (reasons.Ids.Count > 0)
                ReasonStore.Replace(c, tx, newId, reasons);
            var created = new ResponseWritten(newId, display.ToWritten(), change.Score, category, comment, followUp,
                now, now, Created: true, PreviousScore: null, PreviousCategory: null) { Reasons = reasons };
            hooks.ResponseSaved(c, tx, created);
            return new SaveResult(created, Changed: true);
        }

        var previousScore = (int)current.Score;
        var currentReasons = ReasonStore.Read(c, tx, current.Id);
        // Reasons answer the question of one category: a score that moves to another drops those not resent.
        var nextReasons = change.Reasons ?? (category == current.Category ? currentReasons : ChosenReasons.None);
        var next = new ResponseWritten(current.Id, display.ToWritten(), change.Score, category,
            change.SetComment ? change.Comment : current.Comment,
            change.SetFollowUp ? change.FollowUpJson : current.FollowUp,
            current.CreatedAt, now, Created: false, previousScore, current.Category) { Reasons = nextReasons, PreviousReasons = currentReasons };
        var reasonsChanged = !nextReasons.SameAs(currentReasons);
        if (next.Score == previousScore && next.Comment == current.Comment && next.FollowUpJson == current.FollowUp && !reasonsChanged)
            return new SaveResult(next with { UpdatedAt = current.UpdatedAt }, Changed: false);
        c.Execute(Update, new { current.Id, next.Score, next.Category, next.Comment, FollowUp = next.FollowUpJson, Now = now }, tx);
        if (reasonsChanged)
            ReasonStore.Replace(c, tx, current.Id, nextReasons);
        hooks.ResponseSaved(c, tx, next);
        return new SaveResult(next, Changed: true);
    }

    /// <summary>The score of a display's response, or null when it has none.</summary>
    public static int? ScoreOf(DbConnection c, DbTransaction tx, long displayId) => (int?)ReadCurrent(c, tx, displayId)?.Score;

    /// <summary>Records a dismissal once and calls the hooks; false when there was nothing to record.</summary>
    public static bool Decline(DbConnection c, DbTransaction tx, Display display, long now, ResponseHooks hooks)
    {
        if (!DisplayStore.MarkDeclined(c, tx, display.Id, now))
            return false;
        hooks.DeclineSaved(c, tx, new DeclineWritten(display.ToWritten(), now));
        return true;
    }

    /// <summary>Follow-up answers as stored: a JSON object, or null for none.</summary>
    public static string? FollowUpJson(IReadOnlyDictionary<string, string> answers) =>
        answers.Count == 0 ? null : JsonSerializer.Serialize(answers);

    public static SavedResponse ToSaved(this ResponseWritten r) => new(r.ResponseId, r.Score, r.Category, r.Comment,
        r.FollowUpJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(r.FollowUpJson),
        Db.FromUnixMs(r.CreatedAt), Db.FromUnixMs(r.UpdatedAt))
    { Reasons = r.Reasons.Ids, ReasonOther = r.Reasons.Other };

    /// <summary>The responses of a user, inside the caller's transaction (erasure).</summary>
    public static IReadOnlyList<StoredResponse> OfUser(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        c.Query<StoredResponse>(SelectOfUser, new { WorkspaceId = workspaceId, UserId = userId }, tx).ToList();

    /// <summary>Deletes every response of a user; returns how many.</summary>
    public static int DeleteOfUser(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        c.Execute(DeleteOfUserSql, new { WorkspaceId = workspaceId, UserId = userId }, tx);

    static StoredResponse? ReadCurrent(DbConnection c, DbTransaction tx, long displayId)
    {
        using var r = c.Prepared(tx, SelectCurrent).Bind("@DisplayId", displayId).ExecuteReader();
        return r.Read() ? r.GetRowParser<StoredResponse>()(r) : null;
    }
}

/// <summary>A row of <c>responses</c> as stored.</summary>
public sealed class StoredResponse
{
    public long Id { get; set; }
    public long DisplayId { get; set; }
    public long Score { get; set; }
    public string Category { get; set; } = "";
    public string? Comment { get; set; }
    public string? FollowUp { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    /// <summary>The response as write hooks see it, with the display it answers.</summary>
    public ResponseWritten ToWritten(DisplayWritten display) => new(Id, display, (int)Score, Category, Comment, FollowUp,
        CreatedAt, UpdatedAt, Created: false, PreviousScore: null, PreviousCategory: null);
}
