using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;

namespace Pulse.Api.Users;

/// <summary>An end user of a vendor's product as Pulse last saw them.</summary>
public sealed record EndUser(
    string WorkspaceId,
    string UserId,
    string? Email,
    long? SignedUpAt,
    long FirstSeenAt,
    long LastSeenAt,
    string Traits,
    long? OptedOutAt);

/// <summary>
/// What a call says about a user: values given replace the stored ones, values left out keep
/// them. A given <c>traits</c> object replaces the stored set as a whole (latest values).
/// </summary>
public sealed record UserSighting(string UserId, string? Email, long? SignedUpAt, string? TraitsJson, long SeenAt)
{
    /// <summary>
    /// Whether this sighting changes the stored row: a new user, a changed email, sign-up date or
    /// trait set, or a last-seen older than <paramref name="lastSeenResolution"/>. Anything else
    /// needs no write, which keeps repeated eligibility calls read-only.
    /// </summary>
    public bool Changes(EndUser? stored, TimeSpan lastSeenResolution) =>
        stored is null
        || (Email is not null && Email != stored.Email)
        || (SignedUpAt is not null && SignedUpAt != stored.SignedUpAt)
        || (TraitsJson is not null && TraitsJson != stored.Traits)
        || SeenAt - stored.LastSeenAt >= (long)lastSeenResolution.TotalMilliseconds;
}

/// <summary>
/// The one store with SQL for <c>end_users</c>. Rows are keyed by (workspace, the vendor's user id);
/// eligibility reads them with the user's display history (<c>DisplayStore.UserHistory</c>).
/// </summary>
public sealed class EndUserStore
{
    const string UpsertSql = """
        INSERT INTO end_users (workspace_id, user_id, email, signed_up_at, first_seen_at, last_seen_at, traits)
        VALUES (@WorkspaceId, @UserId, @Email, @SignedUpAt, @SeenAt, @SeenAt, COALESCE(@Traits, '{}'))
        ON CONFLICT (workspace_id, user_id) DO UPDATE SET
            email        = COALESCE(excluded.email, end_users.email),
            signed_up_at = COALESCE(excluded.signed_up_at, end_users.signed_up_at),
            traits       = COALESCE(@Traits, end_users.traits),
            last_seen_at = CASE WHEN excluded.last_seen_at > end_users.last_seen_at THEN excluded.last_seen_at ELSE end_users.last_seen_at END
        """;

    // The row is created when the user was never seen, so the opt-out holds before their first visit.
    const string UpsertOptOut = """
        INSERT INTO end_users (workspace_id, user_id, first_seen_at, last_seen_at, opted_out_at)
        VALUES (@WorkspaceId, @UserId, @Now, @Now, @Now)
        ON CONFLICT (workspace_id, user_id) DO UPDATE SET opted_out_at = excluded.opted_out_at
        WHERE end_users.opted_out_at IS NULL
        """;

    // Survey emails only (migration 0140): the row goes with the user.
    const string InsertUnsubscribe = """
        INSERT INTO email_unsubscribes (workspace_id, user_id, unsubscribed_at) VALUES (@WorkspaceId, @UserId, @Now)
        ON CONFLICT (workspace_id, user_id) DO NOTHING
        """;

    const string SelectUnsubscribed = "SELECT COUNT(*) FROM email_unsubscribes WHERE workspace_id = @WorkspaceId AND user_id = @UserId";

    const string DeleteUser = "DELETE FROM end_users WHERE workspace_id = @WorkspaceId AND user_id = @UserId";

    const string SelectIdsStartingWith = """
        SELECT user_id FROM end_users WHERE workspace_id = @WorkspaceId AND substr(user_id, 1, length(@Prefix)) = @Prefix ORDER BY user_id
        """;

    /// <summary>Creates the user or applies what the sighting says (first-seen never moves).</summary>
    /// <remarks>A kept statement (<see cref="PreparedStatements"/>): every shown survey and link runs it on the writer's connection.</remarks>
    public static void Upsert(DbConnection c, DbTransaction tx, string workspaceId, UserSighting s) =>
        c.Prepared(tx, UpsertSql).Bind("@WorkspaceId", workspaceId).Bind("@UserId", s.UserId).Bind("@Email", s.Email)
            .Bind("@SignedUpAt", s.SignedUpAt).Bind("@SeenAt", s.SeenAt).Bind("@Traits", s.TraitsJson).ExecuteNonQuery();

    /// <summary>Marks the user opted out (creating them if needed); false when they already were.</summary>
    public static bool OptOut(DbConnection c, DbTransaction tx, string workspaceId, string userId, long now) =>
        c.Execute(UpsertOptOut, new { WorkspaceId = workspaceId, UserId = userId, Now = now }, tx) == 1;

    /// <summary>Unsubscribes an existing user from survey emails (in-app surveys are unaffected); false when they already were.</summary>
    public static bool UnsubscribeFromEmail(DbConnection c, DbTransaction tx, string workspaceId, string userId, long now) =>
        c.Execute(InsertUnsubscribe, new { WorkspaceId = workspaceId, UserId = userId, Now = now }, tx) == 1;

    /// <summary>Whether the user unsubscribed from survey emails.</summary>
    public static bool IsUnsubscribedFromEmail(DbConnection c, DbTransaction? tx, string workspaceId, string userId) =>
        c.ExecuteScalar<long>(SelectUnsubscribed, new { WorkspaceId = workspaceId, UserId = userId }, tx) > 0;

    /// <summary>Deletes the user's row (their displays and responses must be gone first); false when there was none.</summary>
    public static bool Delete(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        c.Execute(DeleteUser, new { WorkspaceId = workspaceId, UserId = userId }, tx) == 1;

    /// <summary>The ids of the workspace's users that start with <paramref name="prefix"/>, in order (the demo data's <c>seed-</c> users).</summary>
    public static IReadOnlyList<string> IdsStartingWith(DbConnection c, string workspaceId, string prefix) =>
        c.Query<string>(SelectIdsStartingWith, new { WorkspaceId = workspaceId, Prefix = prefix }).ToList();
}
