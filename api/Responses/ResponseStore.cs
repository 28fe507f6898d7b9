using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Displays;
using Pulse.Api.Storage;

namespace Pulse.Api.Responses;

/// <summary>What a post changes: the score always; comment and follow-up answers only when sent.</summary>
public sealed record ResponseChange(int Score, bool SetComment, string? Comment, bool SetFollowUp, string? FollowUpJson);

/// <summary>The response after a save, and whether the save changed anything.</summary>
public sealed record SaveResult(ResponseWritten Response, bool Changed);

/// <summary>
/// SQL for responses and declines. Every method runs inside a write-queue command (the caller's
/// transaction), so its read-decide-write is atomic.
/// </summary>
public static class ResponseStore
{
    const string SelectCurrent = """
        SELECT d.id AS DisplayId, r.id AS Id, r.score AS Score, r.category AS Category, r.comment AS Comment,
               r.follow_up AS FollowUp, r.created_at AS CreatedAt, r.updated_at AS UpdatedAt
        FROM displays d LEFT JOIN responses r ON r.display_id = d.id
        WHERE d.id = @DisplayId
        """;

    const string Insert = """
        INSERT INTO responses (display_id, workspace_id, survey_id, user_id, score, category, comment, follow_up, created_at, updated_at)
        VALUES (@DisplayId, @WorkspaceId, @SurveyId, @UserId, @Score, @Category, @Comment, @FollowUp, @Now, @Now)
        RETURNING id
        """;

    const string MarkAnswered = "UPDATE displays SET answered_at = @Now WHERE id = @DisplayId AND answered_at IS NULL";

    const string Update = """
        UPDATE responses SET score = @Score, category = @Category, comment = @Comment, follow_up = @FollowUp, updated_at = @Now
        WHERE id = @Id
        """;

    // A decline after an answer changes nothing: the answer stands (see docs/decisions.md).
    const string MarkDeclined = "UPDATE displays SET declined_at = @Now WHERE id = @DisplayId AND declined_at IS NULL AND answered_at IS NULL";

    /// <summary>
    /// Creates the response of <paramref name="display"/> or updates it (the upsert behind 201/200),
    /// marks the display answered on the first answer and calls the hooks. A post that changes
    /// nothing writes nothing and calls no hook. Null when the display no longer exists (erased).
    /// </summary>
    public static SaveResult? Save(SqliteConnection c, SqliteTransaction tx, Display display, ResponseChange change, long now, WriteHooks hooks)
    {
        var current = ReadCurrent(c, tx, display.Id);
        if (current is null)
            return null;
        var category = NpsCategory.Of(change.Score);
        if (current.Id is not { } id)
        {
            var comment = change.SetComment ? change.Comment : null;
            var followUp = change.SetFollowUp ? change.FollowUpJson : null;
            // The first answer is the hot path of ingestion: its statements are prepared once on the writer's connection.
            var newId = (long)c.Prepared(tx, Insert, "@DisplayId", "@WorkspaceId", "@SurveyId", "@UserId", "@Score", "@Category", "@Comment", "@FollowUp", "@Now")
                .With(display.Id, display.WorkspaceId, display.SurveyId, display.UserId, change.Score, category, comment, followUp, now)
                .ExecuteScalar()!;
            c.Prepared(tx, MarkAnswered, "@DisplayId", "@Now").With(display.Id, now).ExecuteNonQuery();
            var created = new ResponseWritten(newId, display.ToWritten(), change.Score, category, comment, followUp,
                now, now, Created: true, PreviousScore: null, PreviousCategory: null);
            hooks.ResponseSaved(c, tx, created);
            return new SaveResult(created, Changed: true);
        }

        var previousScore = (int)current.Score!.Value;
        var next = new ResponseWritten(id, display.ToWritten(), change.Score, category,
            change.SetComment ? change.Comment : current.Comment,
            change.SetFollowUp ? change.FollowUpJson : current.FollowUp,
            current.CreatedAt!.Value, now, Created: false, previousScore, current.Category);
        if (next.Score == previousScore && next.Comment == current.Comment && next.FollowUpJson == current.FollowUp)
            return new SaveResult(next with { UpdatedAt = current.UpdatedAt!.Value }, Changed: false);
        c.Execute(Update, new { Id = id, next.Score, next.Category, next.Comment, FollowUp = next.FollowUpJson, Now = now }, tx);
        hooks.ResponseSaved(c, tx, next);
        return new SaveResult(next, Changed: true);
    }

    /// <summary>Records a dismissal once and calls the hooks; false when there was nothing to record.</summary>
    public static bool Decline(SqliteConnection c, SqliteTransaction tx, Display display, long now, WriteHooks hooks)
    {
        if (c.Execute(MarkDeclined, new { DisplayId = display.Id, Now = now }, tx) != 1)
            return false;
        hooks.DeclineSaved(c, tx, new DeclineWritten(display.ToWritten(), now));
        return true;
    }

    /// <summary>Follow-up answers as stored: a JSON object, or null for none.</summary>
    public static string? FollowUpJson(IReadOnlyDictionary<string, string> answers) =>
        answers.Count == 0 ? null : JsonSerializer.Serialize(answers);

    public static SavedResponse ToSaved(this ResponseWritten r) => new(r.ResponseId, r.Score, r.Category, r.Comment,
        r.FollowUpJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(r.FollowUpJson),
        Db.FromUnixMs(r.CreatedAt), Db.FromUnixMs(r.UpdatedAt));

    static CurrentRow? ReadCurrent(SqliteConnection c, SqliteTransaction tx, long displayId)
    {
        using var r = c.Prepared(tx, SelectCurrent, "@DisplayId").With(displayId).ExecuteReader();
        if (!r.Read())
            return null;
        static long? Long(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
        static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new CurrentRow
        {
            DisplayId = r.GetInt64(0),
            Id = Long(r, 1),
            Score = Long(r, 2),
            Category = Text(r, 3),
            Comment = Text(r, 4),
            FollowUp = Text(r, 5),
            CreatedAt = Long(r, 6),
            UpdatedAt = Long(r, 7),
        };
    }

    sealed class CurrentRow
    {
        public long DisplayId { get; set; }
        public long? Id { get; set; }
        public long? Score { get; set; }
        public string? Category { get; set; }
        public string? Comment { get; set; }
        public string? FollowUp { get; set; }
        public long? CreatedAt { get; set; }
        public long? UpdatedAt { get; set; }
    }
}
