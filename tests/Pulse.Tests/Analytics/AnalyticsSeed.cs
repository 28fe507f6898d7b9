using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Analytics;
using Pulse.Api.Displays;
using Pulse.Api.Storage;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>A showing as stored: its display and, when answered, its response.</summary>
public sealed record Seeded(FakeShowing Showing, string SurveyId, long DisplayId, long? ResponseId, long ShownAt, long? AnsweredAt);

/// <summary>
/// Writes displays and responses the way the eligibility and response endpoints do — an
/// <c>end_users</c> upsert, <see cref="DisplayStore.Create"/>, the response row, and the
/// <see cref="WriteHooks"/> — in write-queue commands, for data too large to post one by one.
/// </summary>
public sealed class AnalyticsSeed(PulseFactory app)
{
    const string UpsertUser = """
        INSERT INTO end_users (workspace_id, user_id, email, first_seen_at, last_seen_at, traits)
        VALUES (@WorkspaceId, @UserId, @Email, @At, @At, @Traits)
        ON CONFLICT (workspace_id, user_id) DO UPDATE SET email = excluded.email, traits = excluded.traits,
            last_seen_at = max(last_seen_at, excluded.last_seen_at)
        """;

    const string InsertResponse = """
        INSERT INTO responses (display_id, workspace_id, survey_id, user_id, score, category, comment, created_at, updated_at)
        VALUES (@DisplayId, @WorkspaceId, @SurveyId, @UserId, @Score, @Category, @Comment, @At, @At)
        RETURNING id
        """;

    WriteQueue Writer => app.Services.GetRequiredService<WriteQueue>();

    WriteHooks Hooks => app.Services.GetRequiredService<WriteHooks>();

    public string SurveyOf(string workspaceId)
    {
        using var c = app.Db.Open();
        return c.QuerySingle<string>("SELECT id FROM surveys WHERE workspace_id = @workspaceId", new { workspaceId });
    }

    /// <summary>Stores the showings in commands of <paramref name="perCommand"/>, in order of time.</summary>
    public async Task<List<Seeded>> AddAsync(string workspaceId, string surveyId, IEnumerable<FakeShowing> showings, int perCommand = 500)
    {
        var hooks = Hooks;
        var result = new List<Seeded>();
        foreach (var chunk in showings.OrderBy(s => s.ShownAt).Chunk(perCommand))
            result.AddRange(await Writer.ExecuteAsync((c, tx) => chunk.Select(s => Add(c, tx, hooks, workspaceId, surveyId, s)).ToList()));
        return result;
    }

    static Seeded Add(SqliteConnection c, SqliteTransaction tx, WriteHooks hooks, string workspaceId, string surveyId, FakeShowing s)
    {
        var shownAt = s.ShownAt.ToUnixTimeMilliseconds();
        var traits = JsonSerializer.Serialize(s.User.Traits());
        c.Execute(UpsertUser, new { WorkspaceId = workspaceId, s.User.UserId, s.User.Email, At = shownAt, Traits = traits }, tx);
        var (display, _) = DisplayStore.Create(c, tx, workspaceId, surveyId, s.User.UserId, shownAt, TimeSpan.FromDays(7),
            s.User.Email, traits, s.Locale, s.Url);
        var written = display.ToWritten();
        hooks.DisplayCreated(c, tx, written);
        if (s.Score is not { } score)
            return new Seeded(s, surveyId, display.Id, null, shownAt, null);
        var at = shownAt + (long)s.AnswerAfter.TotalMilliseconds;
        var category = NpsMath.Category(score);
        var id = c.ExecuteScalar<long>(InsertResponse, new
        {
            DisplayId = display.Id, WorkspaceId = workspaceId, SurveyId = surveyId, s.User.UserId, Score = score,
            Category = category, s.Comment, At = at,
        }, tx);
        c.Execute("UPDATE displays SET answered_at = @at WHERE id = @id", new { at, id = display.Id }, tx);
        hooks.ResponseSaved(c, tx, new ResponseWritten(id, written, score, category, s.Comment, null, at, at, true, null, null));
        return new Seeded(s, surveyId, display.Id, id, shownAt, at);
    }

    /// <summary>Changes a response's score as <c>POST /v1/responses</c> does on a second post.</summary>
    public Task ChangeScoreAsync(long responseId, int score, long at) => Writer.ExecuteAsync((c, tx) =>
    {
        var row = c.QuerySingle<(long DisplayId, long Score, string Category, string? Comment, long CreatedAt)>(
            "SELECT display_id, score, category, comment, created_at FROM responses WHERE id = @responseId", new { responseId }, tx);
        var display = c.QuerySingle<Display>(Select + " WHERE id = @id", new { id = row.DisplayId }, tx).ToWritten();
        var category = NpsMath.Category(score);
        c.Execute("UPDATE responses SET score = @score, category = @category, updated_at = @at WHERE id = @responseId",
            new { score, category, at, responseId }, tx);
        Hooks.ResponseSaved(c, tx, new ResponseWritten(responseId, display, score, category, row.Comment, null, row.CreatedAt, at,
            false, (int)row.Score, row.Category));
    });

    /// <summary>Erases a user as <c>DELETE /v1/users/{id}</c> does: hooks first, then the rows.</summary>
    public Task EraseAsync(string workspaceId, string userId) => Writer.ExecuteAsync((c, tx) =>
    {
        var hooks = Hooks;
        var displays = c.Query<Display>(Select + " WHERE workspace_id = @workspaceId AND user_id = @userId", new { workspaceId, userId }, tx).ToList();
        foreach (var d in displays)
        {
            var r = c.QuerySingleOrDefault<(long Id, long Score, string Category, string? Comment, long CreatedAt, long UpdatedAt)?>(
                "SELECT id, score, category, comment, created_at, updated_at FROM responses WHERE display_id = @id", new { id = d.Id }, tx);
            if (r is { } response)
                hooks.ResponseDeleted(c, tx, new ResponseWritten(response.Id, d.ToWritten(), (int)response.Score, response.Category,
                    response.Comment, null, response.CreatedAt, response.UpdatedAt, false, null, null));
            hooks.DisplayDeleted(c, tx, d.ToWritten());
        }
        hooks.UserErased(c, tx, workspaceId, userId);
        c.Execute("DELETE FROM end_users WHERE workspace_id = @workspaceId AND user_id = @userId", new { workspaceId, userId }, tx);
    });

    const string Select = """
        SELECT id AS Id, workspace_id AS WorkspaceId, survey_id AS SurveyId, user_id AS UserId, shown_at AS ShownAt,
               expires_at AS ExpiresAt, answered_at AS AnsweredAt, declined_at AS DeclinedAt, email AS Email,
               traits AS Traits, locale AS Locale, url AS Url
        FROM displays
        """;
}
