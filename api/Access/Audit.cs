using System.Data.Common;
using System.Reflection;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Operations;
using Pulse.Api.Storage;

namespace Pulse.Api.Access;

/// <summary>Who made a change: a member (id, email), a key (id, hint), the command line, or nobody known (a failed sign-in).</summary>
public sealed record Actor(string Type, string? Id, string? Label, string? Address)
{
    public const string MemberType = "member";
    public const string KeyType = "key";
    public const string CliType = "cli";
    public const string AnonymousType = "anonymous";

    /// <summary>Changes made with the command line on the server.</summary>
    public static readonly Actor Cli = new(CliType, null, "command line", null);

    /// <summary>The authenticated caller of a request, with the client's address.</summary>
    public static Actor Of(HttpContext http) => Of(http.User, AddressOf(http));

    public static Actor Of(ClaimsPrincipal user, string? address)
    {
        if (user.FindFirst(CallerClaims.Member)?.Value is { } member)
            return new(MemberType, member, user.FindFirst(CallerClaims.Email)?.Value, address);
        if (user.FindFirst(CallerClaims.Key)?.Value is { } key)
            return new(KeyType, key, user.FindFirst(CallerClaims.Hint)?.Value, address);
        return new(AnonymousType, null, null, address);
    }

    public static string? AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString();
}

/// <summary>One line of the audit log as it is written.</summary>
public sealed record AuditEntry(
    long At,
    string? WorkspaceId,
    Actor Actor,
    string Action,
    string? Target,
    string? Before = null,
    string? After = null,
    string? EndUserId = null);

/// <summary>
/// The audit log: every change by a member, a key or the command line is appended in the same
/// transaction as the change (so one is never on disk without the other). Before and after are
/// JSON of what the API shows, with every secret, password and token removed (<see cref="Redact"/>).
/// </summary>
public static class Audit
{
    static readonly JsonSerializerOptions Json = OperationsExtensions.Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Appends a change: <paramref name="before"/> and <paramref name="after"/> are serialized and redacted.</summary>
    public static void Write(DbConnection c, DbTransaction tx, Actor actor, string? workspaceId, string action, string? target, long at,
        object? before = null, object? after = null, string? endUserId = null) =>
        AuditStore.Append(c, tx, new AuditEntry(at, workspaceId, actor, action, target, Redact(before), Redact(after), endUserId));

    /// <summary>JSON of <paramref name="value"/> without any property that holds a secret (null for null).</summary>
    public static string? Redact(object? value)
    {
        if (value is null)
            return null;
        if (IsFlat(value.GetType()))
            return JsonSerializer.Serialize(value, value.GetType(), Json);
        var node = JsonSerializer.SerializeToNode(value, value.GetType(), Json);
        Strip(node);
        return node?.ToJsonString(Json);
    }

    /// <summary>Whether a property of this name may hold a secret: never written to the log.</summary>
    public static bool IsSecret(string name) =>
        name.Contains("secret", StringComparison.OrdinalIgnoreCase) || name.Contains("password", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("token", StringComparison.OrdinalIgnoreCase) || name.Equals("link", StringComparison.OrdinalIgnoreCase);

    static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> FlatTypes = new();

    /// <summary>
    /// Whether every property of <paramref name="type"/> is a scalar under its own name, none of which may hold a secret:
    /// such a value (the anonymous objects most entries log) serializes straight to its JSON, with nothing to strip.
    /// </summary>
    static bool IsFlat(Type type) => FlatTypes.GetOrAdd(type, static t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .All(p => !IsSecret(p.Name) && p.GetCustomAttribute<JsonPropertyNameAttribute>() is null && IsScalar(p.PropertyType)));

    static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
            || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Guid);
    }

    static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).Where(IsSecret).ToList())
                    obj.Remove(name);
                foreach (var (_, child) in obj)
                    Strip(child);
                break;
            case JsonArray array:
                foreach (var child in array)
                    Strip(child);
                break;
        }
    }
}

/// <summary>An audit entry as <c>GET /v1/audit-log</c> shows it.</summary>
public sealed record AuditRecord(
    long Id,
    DateTimeOffset At,
    string ActorType,
    string? ActorId,
    string? Actor,
    string Action,
    string? Target,
    string? Address,
    JsonElement? Before,
    JsonElement? After);

/// <summary>Filters of the audit log's list and export.</summary>
public sealed record AuditFilter(string WorkspaceId, string? Actor, string? Action, long? From, long? To, long? Before, int Limit);

/// <summary>SQL for <c>audit_log</c>: append, list a workspace's entries, count recent failed sign-ins, erase an end user.</summary>
public static class AuditStore
{
    public const string SignedIn = "member.signed_in";
    public const string SignInFailed = "member.sign_in_failed";

    const string Insert = """
        INSERT INTO audit_log (at, workspace_id, actor_type, actor_id, actor_label, action, target, address, before, after, end_user_id)
        VALUES (@At, @WorkspaceId, @ActorType, @ActorId, @ActorLabel, @Action, @Target, @Address, @Before, @After, @EndUserId)
        """;

    // A workspace's entries, and the sign-ins of its members (written without a workspace).
    const string SelectPage = """
        SELECT id AS Id, at AS At, actor_type AS ActorType, actor_id AS ActorId, actor_label AS ActorLabel, action AS Action, target AS Target,
               address AS Address, before AS Before, after AS After FROM audit_log
        WHERE (workspace_id = @WorkspaceId
               OR (workspace_id IS NULL AND actor_id IN (SELECT member_id FROM workspace_members WHERE workspace_id = @WorkspaceId)))
          AND (@Before IS NULL OR id < @Before)
          AND (@Actor IS NULL OR actor_id = @Actor OR actor_label = @Actor)
          AND (@Action IS NULL OR action = @Action OR action LIKE @ActionPrefix ESCAPE '\')
          AND (@From IS NULL OR at >= @From)
          AND (@To IS NULL OR at < @To)
        ORDER BY id DESC
        LIMIT @Limit
        """;

    const string SelectFailuresByEmail = """
        SELECT at FROM audit_log
        WHERE action = 'member.sign_in_failed' AND actor_label = @Key AND at > @Since
          AND at > COALESCE((SELECT MAX(at) FROM audit_log WHERE action = 'member.signed_in' AND actor_label = @Key AND at > @Since), 0)
        ORDER BY at DESC LIMIT @Limit
        """;

    const string SelectFailuresByAddress = """
        SELECT at FROM audit_log
        WHERE action = 'member.sign_in_failed' AND address = @Key AND at > @Since
          AND at > COALESCE((SELECT MAX(at) FROM audit_log WHERE action = 'member.signed_in' AND address = @Key AND at > @Since), 0)
        ORDER BY at DESC LIMIT @Limit
        """;

    const string EraseUser = """
        UPDATE audit_log SET target = CASE WHEN target = @UserId THEN '(erased)' ELSE target END, before = NULL, after = NULL, end_user_id = NULL
        WHERE workspace_id = @WorkspaceId AND end_user_id = @UserId
        """;

    public static void Append(DbConnection c, DbTransaction tx, AuditEntry e) =>
        // Prepared: every detractor's answer appends one (follow_up.opened) on the writer's hot path.
        c.Prepared(tx, Insert).Bind("@At", e.At).Bind("@WorkspaceId", e.WorkspaceId).Bind("@ActorType", e.Actor.Type)
            .Bind("@ActorId", e.Actor.Id).Bind("@ActorLabel", e.Actor.Label).Bind("@Action", e.Action).Bind("@Target", e.Target)
            .Bind("@Address", e.Actor.Address).Bind("@Before", e.Before).Bind("@After", e.After).Bind("@EndUserId", e.EndUserId)
            .ExecuteNonQuery();

    /// <summary>Newest first, below the cursor <see cref="AuditFilter.Before"/>.</summary>
    public static IEnumerable<AuditRecord> Page(DbConnection c, AuditFilter f) =>
        c.Query<Row>(SelectPage, new
        {
            f.WorkspaceId,
            f.Before,
            f.Actor,
            f.Action,
            ActionPrefix = f.Action is null ? null : f.Action.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + ".%",
            f.From,
            f.To,
            f.Limit,
        }, buffered: false).Select(r => new AuditRecord(r.Id, Storage.Db.FromUnixMs(r.At), r.ActorType, r.ActorId, r.ActorLabel, r.Action, r.Target, r.Address,
            Parse(r.Before), Parse(r.After)));

    static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>Times of the failed sign-ins for an email (or from an address) since <paramref name="since"/> and after the last success, newest first.</summary>
    public static IReadOnlyList<long> RecentFailures(DbConnection c, DbTransaction? tx, string? email, string? address, long since, int limit)
    {
        var sql = email is not null ? SelectFailuresByEmail : SelectFailuresByAddress;
        return c.Query<long>(sql, new { Key = email ?? address, Since = since, Limit = limit }, tx).ToList();
    }

    /// <summary>Clears an erased end user's personal data from the workspace's entries (the entries stay).</summary>
    public static int Erase(DbConnection c, DbTransaction tx, string workspaceId, string userId) =>
        c.Execute(EraseUser, new { WorkspaceId = workspaceId, UserId = userId }, tx);

    sealed class Row
    {
        public long Id { get; set; }
        public long At { get; set; }
        public string ActorType { get; set; } = "";
        public string? ActorId { get; set; }
        public string? ActorLabel { get; set; }
        public string Action { get; set; } = "";
        public string? Target { get; set; }
        public string? Address { get; set; }
        public string? Before { get; set; }
        public string? After { get; set; }
    }
}
