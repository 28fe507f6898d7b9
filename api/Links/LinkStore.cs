using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Links;

/// <summary>A personal survey link: the row behind a link token.</summary>
public sealed record StoredLink(
    long Id,
    string WorkspaceId,
    string SurveyId,
    string UserId,
    string Channel,
    string? Locale,
    long CreatedAt,
    long ExpiresAt,
    long? DisplayId);

/// <summary>
/// The one store with SQL for <c>survey_links</c>. A link token (<c>sl_</c> + 40 random characters) is
/// a bearer capability for one survey of one user; only its SHA-256 is stored and looked up (by the
/// unique index), so the time of a lookup says nothing about how much of a guess was right.
/// </summary>
public static class LinkStore
{
    public const string Prefix = "sl_";

    const string Columns = """
        id AS Id, workspace_id AS WorkspaceId, survey_id AS SurveyId, user_id AS UserId, channel AS Channel, locale AS Locale,
        created_at AS CreatedAt, expires_at AS ExpiresAt, display_id AS DisplayId
        """;

    const string Insert = """
        INSERT INTO survey_links (workspace_id, survey_id, user_id, token_hash, channel, locale, created_at, expires_at, display_id)
        VALUES (@WorkspaceId, @SurveyId, @UserId, @TokenHash, @Channel, @Locale, @CreatedAt, @ExpiresAt, @DisplayId)
        RETURNING id
        """;

    public static string NewToken() => Prefix + Keys.RandomString(40);

    /// <summary>Whether <paramref name="token"/> could be a link token at all (cheap refusal of garbage before a lookup).</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: 43 } && token.StartsWith(Prefix, StringComparison.Ordinal) && token.Skip(3).All(char.IsAsciiLetterOrDigit);

    /// <summary>
    /// Stores a link for a user that exists in <c>end_users</c>; returns its token (shown once). A survey
    /// email passes the display it reserved when sending (<paramref name="displayId"/>); other links get theirs when first opened.
    /// </summary>
    public static string Create(DbConnection c, DbTransaction tx, string workspaceId, string surveyId, string userId, string channel,
        string? locale, long now, long expiresAt, long? displayId = null)
    {
        var token = NewToken();
        c.ExecuteScalar<long>(Insert, new
        {
            WorkspaceId = workspaceId,
            SurveyId = surveyId,
            UserId = userId,
            TokenHash = Keys.Hash(token),
            Channel = channel,
            Locale = locale,
            CreatedAt = now,
            ExpiresAt = expiresAt,
            DisplayId = displayId,
        }, tx);
        return token;
    }

    /// <summary>The link a token names, or null.</summary>
    public static StoredLink? Find(DbConnection c, DbTransaction? tx, string token) =>
        IsWellFormed(token)
            ? c.QuerySingleOrDefault<StoredLink>($"SELECT {Columns} FROM survey_links WHERE token_hash = @TokenHash", new { TokenHash = Keys.Hash(token) }, tx)
            : null;

    /// <summary>Records the display the link's first opening created.</summary>
    public static void SetDisplay(DbConnection c, DbTransaction tx, long linkId, long displayId) =>
        c.Execute("UPDATE survey_links SET display_id = @DisplayId WHERE id = @Id", new { Id = linkId, DisplayId = displayId }, tx);
}
