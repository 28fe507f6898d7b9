using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Team;

/// <summary>A one-time link: an invitation to a workspace with a role, or a password reset.</summary>
public sealed record Invitation(string Id, string Kind, string MemberId, string? WorkspaceId, string? Role, long CreatedAt, long ExpiresAt, long? UsedAt);

/// <summary>An invitation not used yet, as the Team page lists it.</summary>
public sealed record PendingInvitation(string Id, string Email, string Role, long CreatedAt, long ExpiresAt);

/// <summary>SQL for <c>invitations</c>. Only the SHA-256 of a link's token is stored.</summary>
public static class InvitationStore
{
    public const string Invite = "invite";
    public const string Reset = "reset";

    /// <summary>How long a link works.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    const string Insert = """
        INSERT INTO invitations (id, token_hash, kind, member_id, workspace_id, role, created_at, expires_at)
        VALUES (@Id, @TokenHash, @Kind, @MemberId, @WorkspaceId, @Role, @CreatedAt, @ExpiresAt)
        """;
    const string Columns = "id AS Id, kind AS Kind, member_id AS MemberId, workspace_id AS WorkspaceId, role AS Role, " +
        "created_at AS CreatedAt, expires_at AS ExpiresAt, used_at AS UsedAt";
    const string SelectByHash = $"SELECT {Columns}, token_hash AS TokenHash FROM invitations WHERE token_hash = @Hash";
    const string MarkUsed = "UPDATE invitations SET used_at = @At WHERE id = @Id AND used_at IS NULL";
    const string SelectPending = """
        SELECT i.id AS Id, m.email AS Email, i.role AS Role, i.created_at AS CreatedAt, i.expires_at AS ExpiresAt
        FROM invitations i JOIN members m ON m.id = i.member_id
        WHERE i.workspace_id = @WorkspaceId AND i.kind = 'invite' AND i.used_at IS NULL AND i.expires_at > @Now
        ORDER BY i.created_at, i.id
        """;
    const string SelectPendingOfMember = $"SELECT {Columns} FROM invitations WHERE member_id = @MemberId AND kind = 'invite' AND used_at IS NULL AND expires_at > @Now";
    const string DeletePendingOf = "DELETE FROM invitations WHERE workspace_id = @WorkspaceId AND member_id = @MemberId AND used_at IS NULL";

    /// <summary>Creates a link; the token is returned here and never again.</summary>
    public static (Invitation Invitation, string Token) Create(DbConnection c, DbTransaction tx, string kind, string memberId,
        string? workspaceId, string? role, long now)
    {
        var token = "inv_" + Keys.RandomString(40);
        var invitation = new Invitation(Keys.NewId("inv"), kind, memberId, workspaceId, role, now, now + (long)Lifetime.TotalMilliseconds, null);
        c.Execute(Insert, new
        {
            invitation.Id,
            TokenHash = Keys.Hash(token),
            invitation.Kind,
            invitation.MemberId,
            invitation.WorkspaceId,
            invitation.Role,
            invitation.CreatedAt,
            invitation.ExpiresAt,
        }, tx);
        return (invitation, token);
    }

    /// <summary>The link with this token, whatever its state (used, expired), or null for an unknown token.</summary>
    public static Invitation? FindByToken(DbConnection c, DbTransaction? tx, string token)
    {
        if (!token.StartsWith("inv_", StringComparison.Ordinal) || token.Length > 100)
            return null;
        var hash = Keys.Hash(token);
        var row = c.QuerySingleOrDefault<InvitationRow>(SelectByHash, new { Hash = hash }, tx);
        return row is not null && Keys.SameBytes(row.TokenHash, hash)
            ? new Invitation(row.Id, row.Kind, row.MemberId, row.WorkspaceId, row.Role, row.CreatedAt, row.ExpiresAt, row.UsedAt)
            : null;
    }

    /// <summary>Marks a link used; false when it was used already (two tabs accepting at once).</summary>
    public static bool Use(DbConnection c, DbTransaction tx, string id, long now) =>
        c.Execute(MarkUsed, new { Id = id, At = now }, tx) == 1;

    public static IReadOnlyList<PendingInvitation> Pending(DbConnection c, DbTransaction? tx, string workspaceId, long now) =>
        c.Query<PendingInvitation>(SelectPending, new { WorkspaceId = workspaceId, Now = now }, tx).ToList();

    /// <summary>A member's invitations not used yet (single sign-on accepts them: the issuer verified the email).</summary>
    public static IReadOnlyList<Invitation> PendingOf(DbConnection c, DbTransaction tx, string memberId, long now) =>
        c.Query<Invitation>(SelectPendingOfMember, new { MemberId = memberId, Now = now }, tx).ToList();

    /// <summary>Withdraws the unused invitations of a member to a workspace (the member was removed).</summary>
    public static void Withdraw(DbConnection c, DbTransaction tx, string workspaceId, string memberId) =>
        c.Execute(DeletePendingOf, new { WorkspaceId = workspaceId, MemberId = memberId }, tx);

    sealed class InvitationRow
    {
        public string Id { get; set; } = "";
        public string Kind { get; set; } = "";
        public string MemberId { get; set; } = "";
        public string? WorkspaceId { get; set; }
        public string? Role { get; set; }
        public long CreatedAt { get; set; }
        public long ExpiresAt { get; set; }
        public long? UsedAt { get; set; }
        public byte[] TokenHash { get; set; } = [];
    }
}
