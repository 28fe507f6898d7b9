using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Team;

/// <summary>A session as authentication reads it: the member, the workspace they look at and their role there (null: no longer a member).</summary>
public sealed record SessionInfo(string Id, string MemberId, string Email, string WorkspaceId, string? Role, string CsrfToken, long LastSeenAt);

/// <summary>SQL for <c>sessions</c>. The cookie holds the token; the row holds its SHA-256.</summary>
public sealed class SessionStore(Db db)
{
    const string Insert = """
        INSERT INTO sessions (id, token_hash, member_id, workspace_id, csrf_token, created_at, last_seen_at)
        VALUES (@Id, @TokenHash, @MemberId, @WorkspaceId, @CsrfToken, @Now, @Now)
        """;
    const string SelectByHash = """
        SELECT s.id AS Id, s.member_id AS MemberId, m.email AS Email, s.workspace_id AS WorkspaceId, wm.role AS Role,
               s.csrf_token AS CsrfToken, s.last_seen_at AS LastSeenAt, s.token_hash AS TokenHash
        FROM sessions s JOIN members m ON m.id = s.member_id
        LEFT JOIN workspace_members wm ON wm.workspace_id = s.workspace_id AND wm.member_id = s.member_id
        WHERE s.token_hash = @Hash
        """;
    const string UpdateSeen = "UPDATE sessions SET last_seen_at = @At WHERE id = @Id AND last_seen_at < @At";
    const string UpdateWorkspace = "UPDATE sessions SET workspace_id = @WorkspaceId WHERE id = @Id";
    const string DeleteOne = "DELETE FROM sessions WHERE id = @Id";
    const string DeleteOfMember = "DELETE FROM sessions WHERE member_id = @MemberId";
    const string DeleteOfMemberIn = "DELETE FROM sessions WHERE member_id = @MemberId AND workspace_id = @WorkspaceId";

    /// <summary>Starts a session; the token (for the cookie) is returned here only.</summary>
    public static (string Id, string Token, string CsrfToken) Create(DbConnection c, DbTransaction tx, string memberId, string workspaceId, long now)
    {
        var token = "ses_" + Keys.RandomString(40);
        var csrf = Keys.RandomString(32);
        var id = Keys.NewId("ses");
        c.Execute(Insert, new { Id = id, TokenHash = Keys.Hash(token), MemberId = memberId, WorkspaceId = workspaceId, CsrfToken = csrf, Now = now }, tx);
        return (id, token, csrf);
    }

    /// <summary>The session of a cookie's token (expired or not), or null.</summary>
    public SessionInfo? Find(string token)
    {
        if (!token.StartsWith("ses_", StringComparison.Ordinal) || token.Length > 100)
            return null;
        var hash = Keys.Hash(token);
        using var c = db.Open();
        var row = c.QuerySingleOrDefault<Row>(SelectByHash, new { Hash = hash });
        return row is not null && Keys.SameBytes(row.TokenHash, hash)
            ? new SessionInfo(row.Id, row.MemberId, row.Email, row.WorkspaceId, row.Role, row.CsrfToken, row.LastSeenAt)
            : null;
    }

    public static void Touch(DbConnection c, DbTransaction tx, string id, long now) => c.Execute(UpdateSeen, new { Id = id, At = now }, tx);

    public static void SwitchWorkspace(DbConnection c, DbTransaction tx, string id, string workspaceId) =>
        c.Execute(UpdateWorkspace, new { Id = id, WorkspaceId = workspaceId }, tx);

    public static void End(DbConnection c, DbTransaction tx, string id) => c.Execute(DeleteOne, new { Id = id }, tx);

    /// <summary>Ends every session of a member (sign out everywhere, a password reset); returns how many.</summary>
    public static int EndAll(DbConnection c, DbTransaction tx, string memberId) => c.Execute(DeleteOfMember, new { MemberId = memberId }, tx);

    /// <summary>Ends the member's sessions looking at one workspace (they were removed from it).</summary>
    public static int EndIn(DbConnection c, DbTransaction tx, string memberId, string workspaceId) =>
        c.Execute(DeleteOfMemberIn, new { MemberId = memberId, WorkspaceId = workspaceId }, tx);

    sealed class Row
    {
        public string Id { get; set; } = "";
        public string MemberId { get; set; } = "";
        public string Email { get; set; } = "";
        public string WorkspaceId { get; set; } = "";
        public string? Role { get; set; }
        public string CsrfToken { get; set; } = "";
        public long LastSeenAt { get; set; }
        public byte[] TokenHash { get; set; } = [];
    }
}
