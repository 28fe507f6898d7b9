using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Displays;

/// <summary>A survey shown to a user: the row behind a display token.</summary>
public sealed record Display(
    long Id,
    string WorkspaceId,
    string SurveyId,
    string UserId,
    long ShownAt,
    long ExpiresAt,
    long? AnsweredAt,
    long? DeclinedAt,
    string? Email,
    string Traits,
    string? Locale,
    string? Url)
{
    public DisplayWritten ToWritten() => new(Id, WorkspaceId, SurveyId, UserId, Email, Traits, Locale, Url, ShownAt);
}

/// <summary>
/// Displays and their tokens. A display token (<c>dt_</c> + 40 random characters) is a bearer
/// capability for one display of one workspace; only its SHA-256 is stored.
/// </summary>
public static class DisplayStore
{
    const string Columns = """
        id AS Id, workspace_id AS WorkspaceId, survey_id AS SurveyId, user_id AS UserId, shown_at AS ShownAt,
        expires_at AS ExpiresAt, answered_at AS AnsweredAt, declined_at AS DeclinedAt, email AS Email,
        traits AS Traits, locale AS Locale, url AS Url
        """;

    const string Insert = """
        INSERT INTO displays (workspace_id, survey_id, user_id, token_hash, shown_at, expires_at, email, traits, locale, url)
        VALUES (@WorkspaceId, @SurveyId, @UserId, @TokenHash, @ShownAt, @ExpiresAt, @Email, @Traits, @Locale, @Url)
        RETURNING id
        """;

    const string SelectByTokenHash = $"SELECT {Columns} FROM displays WHERE token_hash = @TokenHash";

    public static string NewToken() => "dt_" + Keys.RandomString(40);

    /// <summary>
    /// Inserts a display for a user that already exists in <c>end_users</c> and returns it with its
    /// token (shown to the client once). Callers run the <see cref="WriteHooks.DisplayCreated"/> hooks.
    /// </summary>
    public static (Display Display, string Token) Create(SqliteConnection c, SqliteTransaction tx,
        string workspaceId, string surveyId, string userId, long shownAt, TimeSpan tokenLifetime,
        string? email, string traitsJson, string? locale, string? url)
    {
        var token = NewToken();
        var expiresAt = shownAt + (long)tokenLifetime.TotalMilliseconds;
        var id = c.ExecuteScalar<long>(Insert, new
        {
            WorkspaceId = workspaceId,
            SurveyId = surveyId,
            UserId = userId,
            TokenHash = Keys.Hash(token),
            ShownAt = shownAt,
            ExpiresAt = expiresAt,
            Email = email,
            Traits = traitsJson,
            Locale = locale,
            Url = url,
        }, tx);
        return (new Display(id, workspaceId, surveyId, userId, shownAt, expiresAt, null, null, email, traitsJson, locale, url), token);
    }

    /// <summary>The display a token names, on a pooled reader with the statement prepared once.</summary>
    public static Display? FindByToken(PooledReader reader, string token)
    {
        if (!token.StartsWith("dt_", StringComparison.Ordinal) || token.Length > 100)
            return null;
        var command = reader.Command(SelectByTokenHash, "@TokenHash");
        command.Parameters[0].Value = Keys.Hash(token);
        using var r = command.ExecuteReader();
        if (!r.Read())
            return null;
        return new Display(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5),
            r.IsDBNull(6) ? null : r.GetInt64(6), r.IsDBNull(7) ? null : r.GetInt64(7), r.IsDBNull(8) ? null : r.GetString(8),
            r.GetString(9), r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11));
    }

    /// <summary>The display a token names, or null. Looked up by hash, so timing says nothing about the token.</summary>
    public static Display? FindByToken(SqliteConnection c, SqliteTransaction? tx, string token) =>
        token.StartsWith("dt_", StringComparison.Ordinal) && token.Length <= 100
            ? c.QuerySingleOrDefault<Display>(SelectByTokenHash, new { TokenHash = Keys.Hash(token) }, tx)
            : null;
}
