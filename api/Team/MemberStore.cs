using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Access;
using Pulse.Api.Workspaces;

namespace Pulse.Api.Team;

/// <summary>A person who signs in: email (lower case), display name, password hash (null until set).</summary>
public sealed record Member(string Id, string Email, string? Name, string? PasswordHash, long CreatedAt);

/// <summary>SQL for <c>members</c>. Writes take the caller's transaction.</summary>
public static class MemberStore
{
    const string Columns = "id AS Id, email AS Email, name AS Name, password_hash AS PasswordHash, created_at AS CreatedAt";
    const string SelectByEmail = $"SELECT {Columns} FROM members WHERE email = @Email";
    const string SelectById = $"SELECT {Columns} FROM members WHERE id = @Id";
    const string Insert = "INSERT INTO members (id, email, name, created_at) VALUES (@Id, @Email, @Name, @CreatedAt)";
    const string UpdatePassword = "UPDATE members SET password_hash = @Hash, name = COALESCE(@Name, name) WHERE id = @Id";

    /// <summary>Emails are compared trimmed and in lower case.</summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    public static Member? FindByEmail(DbConnection c, DbTransaction? tx, string email) =>
        c.QuerySingleOrDefault<Member>(SelectByEmail, new { Email = Normalize(email) }, tx);

    public static Member? Find(DbConnection c, DbTransaction? tx, string id) =>
        c.QuerySingleOrDefault<Member>(SelectById, new { Id = id }, tx);

    /// <summary>The member with this email, created (without a password) when there is none.</summary>
    public static Member FindOrCreate(DbConnection c, DbTransaction tx, string email, long now, string? id = null)
    {
        if (FindByEmail(c, tx, email) is { } found)
            return found;
        var member = new Member(id ?? Keys.NewId("mem"), Normalize(email), null, null, now);
        c.Execute(Insert, new { member.Id, member.Email, member.Name, member.CreatedAt }, tx);
        return member;
    }

    public static void SetPassword(DbConnection c, DbTransaction tx, string id, string hash, string? name) =>
        c.Execute(UpdatePassword, new { Id = id, Hash = hash, Name = name }, tx);
}

/// <summary>A member's place in a workspace.</summary>
public sealed record Membership(string WorkspaceId, string MemberId, string Email, string? Name, string Role, long CreatedAt);

/// <summary>A workspace a member belongs to, for the workspace switcher.</summary>
public sealed record MemberWorkspace(string WorkspaceId, string Name, string Role);

/// <summary>SQL for <c>workspace_members</c>: who is in a workspace, with which role.</summary>
public static class MembershipStore
{
    const string SelectRole = "SELECT role FROM workspace_members WHERE workspace_id = @WorkspaceId AND member_id = @MemberId";
    const string SelectList = """
        SELECT wm.workspace_id AS WorkspaceId, wm.member_id AS MemberId, m.email AS Email, m.name AS Name, wm.role AS Role, wm.created_at AS CreatedAt
        FROM workspace_members wm JOIN members m ON m.id = wm.member_id
        WHERE wm.workspace_id = @WorkspaceId ORDER BY wm.created_at, m.email
        """;
    const string SelectOne = """
        SELECT wm.workspace_id AS WorkspaceId, wm.member_id AS MemberId, m.email AS Email, m.name AS Name, wm.role AS Role, wm.created_at AS CreatedAt
        FROM workspace_members wm JOIN members m ON m.id = wm.member_id
        WHERE wm.workspace_id = @WorkspaceId AND wm.member_id = @MemberId
        """;
    const string SelectWorkspaces = """
        SELECT wm.workspace_id AS WorkspaceId, w.name AS Name, wm.role AS Role
        FROM workspace_members wm JOIN workspaces w ON w.id = wm.workspace_id
        WHERE wm.member_id = @MemberId ORDER BY w.name, w.id
        """;
    const string Upsert = """
        INSERT INTO workspace_members (workspace_id, member_id, role, created_at) VALUES (@WorkspaceId, @MemberId, @Role, @CreatedAt)
        ON CONFLICT (workspace_id, member_id) DO UPDATE SET role = excluded.role
        """;
    const string UpdateRole = "UPDATE workspace_members SET role = @Role WHERE workspace_id = @WorkspaceId AND member_id = @MemberId";
    const string Delete = "DELETE FROM workspace_members WHERE workspace_id = @WorkspaceId AND member_id = @MemberId";
    const string CountOwners = "SELECT COUNT(*) FROM workspace_members WHERE workspace_id = @WorkspaceId AND role = 'owner'";

    public static string? Role(DbConnection c, DbTransaction? tx, string workspaceId, string memberId) =>
        c.QuerySingleOrDefault<string>(SelectRole, new { WorkspaceId = workspaceId, MemberId = memberId }, tx);

    public static IReadOnlyList<Membership> List(DbConnection c, DbTransaction? tx, string workspaceId) =>
        c.Query<Membership>(SelectList, new { WorkspaceId = workspaceId }, tx).ToList();

    public static Membership? Find(DbConnection c, DbTransaction? tx, string workspaceId, string memberId) =>
        c.QuerySingleOrDefault<Membership>(SelectOne, new { WorkspaceId = workspaceId, MemberId = memberId }, tx);

    public static IReadOnlyList<MemberWorkspace> WorkspacesOf(DbConnection c, DbTransaction? tx, string memberId) =>
        c.Query<MemberWorkspace>(SelectWorkspaces, new { MemberId = memberId }, tx).ToList();

    /// <summary>Adds the member to the workspace with this role (or gives them this role).</summary>
    public static void Put(DbConnection c, DbTransaction tx, string workspaceId, string memberId, string role, long now) =>
        c.Execute(Upsert, new { WorkspaceId = workspaceId, MemberId = memberId, Role = role, CreatedAt = now }, tx);

    public static void SetRole(DbConnection c, DbTransaction tx, string workspaceId, string memberId, string role) =>
        c.Execute(UpdateRole, new { WorkspaceId = workspaceId, MemberId = memberId, Role = role }, tx);

    public static void Remove(DbConnection c, DbTransaction tx, string workspaceId, string memberId) =>
        c.Execute(Delete, new { WorkspaceId = workspaceId, MemberId = memberId }, tx);

    public static long Owners(DbConnection c, DbTransaction tx, string workspaceId) =>
        c.ExecuteScalar<long>(CountOwners, new { WorkspaceId = workspaceId }, tx);

    /// <summary>
    /// Whether changing <paramref name="current"/> to <paramref name="newRole"/> (null: removing the
    /// member) would leave the workspace without an owner. Checked inside the writing transaction.
    /// </summary>
    public static bool WouldLeaveNoOwner(DbConnection c, DbTransaction tx, Membership current, string? newRole) =>
        current.Role == Roles.Owner && newRole != Roles.Owner && Owners(c, tx, current.WorkspaceId) <= 1;
}
