using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Storage;
using Pulse.Api.Users;
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
    string? Url,
    string? Variant = null,
    string Channel = Channels.InApp)
{
    public DisplayWritten ToWritten() => new(Id, WorkspaceId, SurveyId, UserId, Email, Traits, Locale, Url, ShownAt, Variant, Channel);
}

/// <summary>What one user has seen of one survey: the latest of each kind of display (UTC ms), or null.</summary>
public sealed record SurveyHistory(long? LastShownAt, long? LastAnsweredAt, long? LastDeclinedAt, long? LastIgnoredAt)
{
    public static readonly SurveyHistory None = new(null, null, null, null);
}

/// <summary>
/// Displays and their tokens: the one store with SQL for <c>displays</c>. A display token (<c>dt_</c> + 40 random characters) is a bearer
/// capability for one display of one workspace; only its SHA-256 is stored.
/// </summary>
public static class DisplayStore
{
    const string Columns = """
        id AS Id, workspace_id AS WorkspaceId, survey_id AS SurveyId, user_id AS UserId, shown_at AS ShownAt,
        expires_at AS ExpiresAt, answered_at AS AnsweredAt, declined_at AS DeclinedAt, email AS Email,
        traits AS Traits, locale AS Locale, url AS Url, variant AS Variant, channel AS Channel
        """;

    const string Insert = """
        INSERT INTO displays (workspace_id, survey_id, user_id, token_hash, shown_at, expires_at, email, traits, locale, url, variant, channel)
        VALUES (@WorkspaceId, @SurveyId, @UserId, @TokenHash, @ShownAt, @ExpiresAt, @Email, @Traits, @Locale, @Url, @Variant, @Channel)
        RETURNING id
        """;

    const string SelectByTokenHash = $"SELECT {Columns} FROM displays WHERE token_hash = @TokenHash";

    const string SelectById = $"SELECT {Columns} FROM displays WHERE id = @Id";

    const string SelectOfUser = $"SELECT {Columns} FROM displays WHERE workspace_id = @WorkspaceId AND user_id = @UserId ORDER BY id";

    const string DeleteOfUserSql = "DELETE FROM displays WHERE workspace_id = @WorkspaceId AND user_id = @UserId";

    const string MarkAnsweredSql = "UPDATE displays SET answered_at = @Now WHERE id = @DisplayId AND answered_at IS NULL";

    // A decline after an answer changes nothing: the answer stands (see docs/decisions.md).
    const string MarkDeclinedSql = "UPDATE displays SET declined_at = @Now WHERE id = @DisplayId AND declined_at IS NULL AND answered_at IS NULL";

    const string SelectExists = "SELECT COUNT(*) FROM displays WHERE id = @DisplayId";

    // One statement for the user's row (end_users, read only) and their history per survey: a user
    // never seen gives no row, a user without displays one row with a null survey. Grouping by the
    // user's primary key too lets both SQLite and PostgreSQL return the user's columns bare.
    const string SelectUserAndHistory = """
        SELECT u.email AS Email, u.signed_up_at AS SignedUpAt, u.first_seen_at AS FirstSeenAt, u.last_seen_at AS LastSeenAt,
               u.traits AS Traits, u.opted_out_at AS OptedOutAt,
               d.survey_id AS SurveyId,
               MAX(d.shown_at) AS LastShownAt,
               MAX(d.answered_at) AS LastAnsweredAt,
               MAX(d.declined_at) AS LastDeclinedAt,
               MAX(CASE WHEN d.answered_at IS NULL AND d.declined_at IS NULL THEN d.shown_at END) AS LastIgnoredAt
        FROM end_users u
        LEFT JOIN displays d ON d.workspace_id = u.workspace_id AND d.user_id = u.user_id
        WHERE u.workspace_id = @WorkspaceId AND u.user_id = @UserId
        GROUP BY u.workspace_id, u.user_id, d.survey_id
        """;

    const string SelectShownSince = "SELECT COUNT(*) FROM displays WHERE survey_id = @SurveyId AND shown_at >= @Since";

    public static string NewToken() => "dt_" + Keys.RandomString(40);

    /// <summary>
    /// Inserts a display for a user that already exists in <c>end_users</c> and returns it with its
    /// token (shown to the client once). Callers run the <see cref="DisplayHooks.DisplayCreated"/> hooks.
    /// </summary>
    public static (Display Display, string Token) Create(DbConnection c, DbTransaction tx,
        string workspaceId, string surveyId, string userId, long shownAt, TimeSpan tokenLifetime,
        string? email, string traitsJson, string? locale, string? url, string? variant = null, string channel = Channels.InApp)
    {
        var token = NewToken();
        var expiresAt = shownAt + (long)tokenLifetime.TotalMilliseconds;
        // A kept statement (PreparedStatements): every shown survey writes one, on the writer's connection.
        var id = Convert.ToInt64(c.Prepared(tx, Insert)
            .Bind("@WorkspaceId", workspaceId).Bind("@SurveyId", surveyId).Bind("@UserId", userId).Bind("@TokenHash", Keys.Hash(token))
            .Bind("@ShownAt", shownAt).Bind("@ExpiresAt", expiresAt).Bind("@Email", email).Bind("@Traits", traitsJson)
            .Bind("@Locale", locale).Bind("@Url", url).Bind("@Variant", variant).Bind("@Channel", channel)
            .ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        return (new Display(id, workspaceId, surveyId, userId, shownAt, expiresAt, null, null, email, traitsJson, locale, url, variant, channel), token);
    }

    /// <summary>
    /// The write path of a display, in the order eligibility writes it: the user as this call saw
    /// them (<see cref="EndUserStore.Upsert"/>), the display (<see cref="Create"/>), then
    /// <see cref="DisplayHooks.DisplayCreated"/>, all in the caller's transaction.
    /// <paramref name="email"/> and <paramref name="traitsJson"/> are the snapshot the display keeps.
    /// </summary>
    public static (Display Display, string Token) Show(DbConnection c, DbTransaction tx, DisplayHooks hooks, string workspaceId,
        string surveyId, UserSighting user, TimeSpan tokenLifetime, string? email, string traitsJson, string? locale, string? url, string? variant = null,
        string channel = Channels.InApp)
    {
        EndUserStore.Upsert(c, tx, workspaceId, user);
        var created = Create(c, tx, workspaceId, surveyId, user.UserId, user.SeenAt, tokenLifetime, email, traitsJson, locale, url, variant, channel);
        hooks.DisplayCreated(c, tx, created.Display.ToWritten());
        return created;
    }

    /// <summary>
    /// The display a token names, or null; looked up by hash, so timing says nothing about the token.
    /// Prepared once per connection: run it on a <see cref="PooledReader"/>'s connection.
    /// </summary>
    public static Display? FindByToken(DbConnection c, string token)
    {
        if (!token.StartsWith("dt_", StringComparison.Ordinal) || token.Length > 100)
            return null;
        using var r = c.Prepared(null, SelectByTokenHash).Bind("@TokenHash", Keys.Hash(token)).ExecuteReader();
        return r.Read() ? r.GetRowParser<Display>()(r) : null;
    }

    /// <summary>The display of an id, or null (erased), inside the caller's transaction.</summary>
    public static Display? Find(DbConnection c, DbTransaction tx, long id) =>
        c.QuerySingleOrDefault<Display>(SelectById, new { Id = id }, tx);

    /// <summary>The displays of a user, oldest first, inside the caller's transaction (erasure).</summary>
    public static IReadOnlyList<Display> OfUser(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        c.Query<Display>(SelectOfUser, new { WorkspaceId = workspaceId, UserId = userId }, tx).ToList();

    /// <summary>Deletes every display of a user (their responses must be gone first); returns how many.</summary>
    public static int DeleteOfUser(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        c.Execute(DeleteOfUserSql, new { WorkspaceId = workspaceId, UserId = userId }, tx);

    /// <summary>Records the first answer of a display; false when it was answered before or no longer exists.</summary>
    public static bool MarkAnswered(DbConnection c, DbTransaction tx, long displayId, long now) =>
        c.Prepared(tx, MarkAnsweredSql).Bind("@DisplayId", displayId).Bind("@Now", now).ExecuteNonQuery() == 1;

    /// <summary>Records a dismissal once, and only of a display that was not answered; false when nothing changed.</summary>
    public static bool MarkDeclined(DbConnection c, DbTransaction tx, long displayId, long now) =>
        c.Execute(MarkDeclinedSql, new { DisplayId = displayId, Now = now }, tx) == 1;

    public static bool Exists(DbConnection c, DbTransaction tx, long displayId) =>
        c.ExecuteScalar<long>(SelectExists, new { DisplayId = displayId }, tx) > 0;

    /// <summary>
    /// The user's row (null: never seen) and their display history per survey. Prepared once per
    /// connection: the not-eligible path of eligibility runs this on every call (on a
    /// <see cref="PooledReader"/>'s connection), the writer once more before it reserves a display.
    /// </summary>
    public static (EndUser? User, Dictionary<string, SurveyHistory> Surveys) UserHistory(DbConnection c, DbTransaction? tx,
        string workspaceId, string userId)
    {
        EndUser? stored = null;
        var history = new Dictionary<string, SurveyHistory>(StringComparer.Ordinal);
        using var r = c.Prepared(tx, SelectUserAndHistory).Bind("@WorkspaceId", workspaceId).Bind("@UserId", userId).ExecuteReader();
        if (!r.Read())
            return (stored, history);
        // Read by position, not through a Dapper row parser: this runs on every eligibility call, and a parser
        // names and types every column of every row (strings and arrays the provider builds each time), H15.
        do
        {
            stored ??= new EndUser(workspaceId, userId, r.IsDBNull(0) ? null : r.GetString(0), Int64OrNull(r, 1), r.GetInt64(2), r.GetInt64(3),
                r.IsDBNull(4) ? "{}" : r.GetString(4), Int64OrNull(r, 5));
            if (!r.IsDBNull(6))
                history[r.GetString(6)] = new SurveyHistory(Int64OrNull(r, 7), Int64OrNull(r, 8), Int64OrNull(r, 9), Int64OrNull(r, 10));
        }
        while (r.Read());
        return (stored, history);
    }

    // An aggregate over NULLs has no declared column type (SQLite reports it as a blob): read the value only when there is one.
    static long? Int64OrNull(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetInt64(ordinal);

    /// <summary>How many displays each survey has had since <paramref name="since"/> (the <c>displays_survey_time</c> index).</summary>
    public static Dictionary<string, int> ShownSince(DbConnection c, DbTransaction? tx, IEnumerable<string> surveyIds, long since)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var surveyId in surveyIds)
            counts[surveyId] = Convert.ToInt32(c.Prepared(tx, SelectShownSince).Bind("@SurveyId", surveyId).Bind("@Since", since).ExecuteScalar(),
                System.Globalization.CultureInfo.InvariantCulture);
        return counts;
    }
}
