using System.Data.Common;
using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Access;
using Pulse.Api.Storage;

namespace Pulse.Api.Workspaces;

/// <summary>
/// The one store with SQL for workspaces and secret keys. Reads open their own connection; writes take the caller's
/// transaction. Lookups by id and site key are cached for a few seconds (every public call makes
/// one); this process drops an entry as soon as it changes the workspace, and on PostgreSQL so do the other
/// instances (<see cref="CacheNotifications"/>); another process that does not publish (the CLI) is seen within <see cref="CacheFor"/>.
/// </summary>
public sealed class WorkspaceStore(Db db, TimeSpan? cacheFor = null, CacheNotifications? notifications = null)
{
    /// <summary>The topic of <see cref="CacheNotifications"/> that another instance's workspace changes arrive on.</summary>
    public const string Topic = "workspaces";

    readonly ConcurrentDictionary<string, (Workspace Workspace, long Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>How long a looked-up workspace is reused (real time, not the injectable clock).</summary>
    public TimeSpan CacheFor { get; } = cacheFor ?? TimeSpan.Zero;

    const string Columns = """
        id AS Id, name AS Name, product_name AS ProductName, site_key AS SiteKey, identity_secret AS IdentitySecret,
        allowed_origins AS AllowedOrigins, require_user_hash AS RequireUserHash, fatigue_days AS FatigueDays, test_mode AS TestMode,
        created_at AS CreatedAt, updated_at AS UpdatedAt, nps_target AS NpsTarget, previous_identity_secret AS PreviousIdentitySecret,
        previous_identity_secret_expires_at AS PreviousIdentitySecretExpiresAt, viewers_may_export AS ViewersMayExport
        """;

    const string SelectById = $"SELECT {Columns} FROM workspaces WHERE id = @Id";
    const string SelectBySiteKey = $"SELECT {Columns} FROM workspaces WHERE site_key = @SiteKey";
    const string SelectAll = $"SELECT {Columns} FROM workspaces ORDER BY created_at, id";

    const string InsertWorkspace = """
        INSERT INTO workspaces (id, name, product_name, site_key, identity_secret, allowed_origins,
                                require_user_hash, fatigue_days, test_mode, created_at, updated_at)
        VALUES (@Id, @Name, @ProductName, @SiteKey, @IdentitySecret, @AllowedOrigins,
                CAST(@RequireUserHash AS INTEGER), @FatigueDays, CAST(@TestMode AS INTEGER), @CreatedAt, @UpdatedAt)
        """;

    const string UpdateSettings = """
        UPDATE workspaces SET name = @Name, product_name = @ProductName, allowed_origins = @AllowedOrigins,
               require_user_hash = CAST(@RequireUserHash AS INTEGER), fatigue_days = @FatigueDays, test_mode = CAST(@TestMode AS INTEGER), nps_target = @NpsTarget,
               viewers_may_export = CAST(@ViewersMayExport AS INTEGER),
               updated_at = @UpdatedAt
        WHERE id = @Id
        """;

    const string InsertKey = """
        INSERT INTO secret_keys (id, workspace_id, key_hash, hint, name, created_at, scope)
        VALUES (@Id, @WorkspaceId, @KeyHash, @Hint, @Name, @CreatedAt, @Scope)
        """;

    const string SelectKeyByHash = "SELECT id, workspace_id, key_hash, revoked_at, last_used_at, scope, hint FROM secret_keys WHERE key_hash = @Hash";
    const string KeyColumns = "id AS Id, workspace_id AS WorkspaceId, hint AS Hint, created_at AS CreatedAt, revoked_at AS RevokedAt, name AS Name, last_used_at AS LastUsedAt, scope AS Scope";
    const string SelectKeys = $"SELECT {KeyColumns} FROM secret_keys WHERE workspace_id = @WorkspaceId ORDER BY created_at, id";
    const string SelectKey = $"SELECT {KeyColumns} FROM secret_keys WHERE workspace_id = @WorkspaceId AND id = @Id";
    const string CountActiveKeys = "SELECT COUNT(*) FROM secret_keys WHERE workspace_id = @WorkspaceId AND revoked_at IS NULL";
    const string RevokeKey = "UPDATE secret_keys SET revoked_at = @At WHERE id = @Id AND workspace_id = @WorkspaceId AND revoked_at IS NULL";
    const string SetKeyUsed = "UPDATE secret_keys SET last_used_at = @At WHERE id = @Id AND (last_used_at IS NULL OR last_used_at < @At)";
    const string SetIdentitySecret = """
        UPDATE workspaces SET previous_identity_secret = CASE WHEN @KeepUntil > @At THEN identity_secret END,
               previous_identity_secret_expires_at = CASE WHEN @KeepUntil > @At THEN @KeepUntil END,
               identity_secret = @Secret, updated_at = @At
        WHERE id = @Id
        """;

    const string RevokeKeysOf = """
        UPDATE secret_keys SET revoked_at = @Now
        WHERE (workspace_id IN @Ids OR key_hash IN @Hashes) AND revoked_at IS NULL
        """;

    public Workspace? Find(string id) => Cached("id:" + id, SelectById, new { Id = id });

    public Workspace? FindBySiteKey(string siteKey) => Cached("pk:" + siteKey, SelectBySiteKey, new { SiteKey = siteKey });

    /// <summary>Forgets cached copies of a workspace this process has just changed, here and on the other instances.</summary>
    public void Invalidate(string workspaceId)
    {
        Evict(workspaceId);
        notifications?.Publish(Topic, workspaceId);
    }

    /// <summary>Forgets this process's cached copies of a workspace (of every workspace when null).</summary>
    public void Evict(string? workspaceId)
    {
        foreach (var (key, entry) in _cache)
            if (workspaceId is null || entry.Workspace.Id == workspaceId)
                _cache.TryRemove(key, out _);
    }

    Workspace? Cached(string key, string sql, object args)
    {
        var now = Environment.TickCount64;
        if (_cache.TryGetValue(key, out var hit) && hit.Until > now)
            return hit.Workspace;
        Workspace? found;
        using (var c = db.Open())
            found = c.QuerySingleOrDefault<WorkspaceRow>(sql, args)?.ToWorkspace();
        // Only found workspaces are cached, so one created a moment ago is never reported missing.
        if (found is not null && CacheFor > TimeSpan.Zero)
            _cache[key] = (found, now + (long)CacheFor.TotalMilliseconds);
        else
            _cache.TryRemove(key, out _);
        return found;
    }

    public IReadOnlyList<Workspace> List()
    {
        using var c = db.Open();
        return c.Query<WorkspaceRow>(SelectAll).Select(r => r.ToWorkspace()).ToList();
    }

    public IReadOnlyList<SecretKeyInfo> ListKeys(string workspaceId)
    {
        using var c = db.Open();
        return c.Query<SecretKeyInfo>(SelectKeys, new { WorkspaceId = workspaceId }).ToList();
    }

    /// <summary>
    /// The workspace a secret key belongs to, the key's id, when it was last used, its scope and
    /// hint, or null when the key is unknown or revoked.
    /// </summary>
    public AuthenticatedKey? Authenticate(string secretKey)
    {
        var hash = Keys.Hash(secretKey);
        using var c = db.Open();
        var row = c.QuerySingleOrDefault<(string Id, string WorkspaceId, byte[] KeyHash, long? RevokedAt, long? LastUsedAt, string Scope, string Hint)>(
            SelectKeyByHash, new { Hash = hash });
        // The lookup is by hash, so timing reveals nothing about the key; compare anyway, in constant time.
        if (row.Id is null || row.RevokedAt is not null || !Keys.SameBytes(row.KeyHash, hash))
            return null;
        return new AuthenticatedKey(row.WorkspaceId, row.Id, row.LastUsedAt, row.Scope, row.Hint);
    }

    public SecretKeyInfo? FindKey(string workspaceId, string keyId)
    {
        using var c = db.Open();
        return c.QuerySingleOrDefault<SecretKeyInfo>(SelectKey, new { WorkspaceId = workspaceId, Id = keyId });
    }

    public static SecretKeyInfo? FindKey(DbConnection c, DbTransaction tx, string workspaceId, string keyId) =>
        c.QuerySingleOrDefault<SecretKeyInfo>(SelectKey, new { WorkspaceId = workspaceId, Id = keyId }, tx);

    public static long ActiveKeys(DbConnection c, DbTransaction tx, string workspaceId) =>
        c.ExecuteScalar<long>(CountActiveKeys, new { WorkspaceId = workspaceId }, tx);

    /// <summary>Stamps a key's last use (never moving it back).</summary>
    public static void RecordKeyUse(DbConnection c, DbTransaction tx, string keyId, long at) =>
        c.Execute(SetKeyUsed, new { Id = keyId, At = at }, tx);

    /// <summary>
    /// Creates a workspace with one secret key, then calls <paramref name="hooks"/> in the same
    /// transaction (the surveys feature adds the first survey: <c>FirstSurvey</c>).
    /// </summary>
    public static CreatedWorkspace Create(DbConnection c, DbTransaction tx, NewWorkspace spec, long now, IEnumerable<IWorkspaceHook> hooks)
    {
        var id = spec.Id ?? Keys.NewId("ws");
        var siteKey = spec.SiteKey ?? Keys.NewSiteKey();
        var identitySecret = spec.IdentitySecret ?? Keys.NewIdentitySecret();
        c.Execute(InsertWorkspace, new
        {
            Id = id,
            spec.Name,
            ProductName = spec.ProductName ?? spec.Name,
            SiteKey = siteKey,
            IdentitySecret = identitySecret,
            AllowedOrigins = JsonSerializer.Serialize(spec.AllowedOrigins),
            RequireUserHash = spec.RequireUserHash,
            FatigueDays = Workspace.DefaultFatigueDays,
            TestMode = false,
            CreatedAt = now,
            UpdatedAt = now,
        }, tx);
        var secretKey = AddKey(c, tx, id, now, spec.SecretKey).SecretKey;
        foreach (var hook in hooks)
            hook.WorkspaceCreated(c, tx, new WorkspaceCreated(id, now));
        return new CreatedWorkspace(id, siteKey, secretKey, identitySecret);
    }

    /// <summary>Adds a secret key; the key is returned here and never again.</summary>
    public static (string KeyId, string SecretKey) AddKey(DbConnection c, DbTransaction tx, string workspaceId, long now,
        string? fixedKey = null, string? name = null, string scope = KeyScopes.Full)
    {
        var key = fixedKey ?? Keys.NewSecretKey();
        var keyId = Keys.NewId("key");
        c.Execute(InsertKey, new { Id = keyId, WorkspaceId = workspaceId, KeyHash = Keys.Hash(key), Hint = Keys.Hint(key), Name = name, CreatedAt = now, Scope = scope }, tx);
        return (keyId, key);
    }

    /// <summary>Revokes every key of the given workspaces and every key with one of the given hashes; returns how many.</summary>
    public static int RevokeAll(DbConnection c, IReadOnlyList<string> workspaceIds, IReadOnlyList<byte[]> keyHashes, long now) =>
        c.Execute(c.Sql(RevokeKeysOf), new { Now = now, Ids = workspaceIds, Hashes = keyHashes });

    public static bool Revoke(DbConnection c, DbTransaction tx, string workspaceId, string keyId, long now) =>
        c.Execute(RevokeKey, new { Id = keyId, WorkspaceId = workspaceId, At = now }, tx) == 1;

    /// <summary>
    /// A new identity secret; the replaced one keeps verifying userHash until <paramref name="keepOldUntil"/>
    /// (nothing is kept when that is not after <paramref name="now"/>; an older previous secret is dropped).
    /// </summary>
    public static string RotateIdentitySecret(DbConnection c, DbTransaction tx, string workspaceId, long now, long keepOldUntil)
    {
        var secret = Keys.NewIdentitySecret();
        if (c.Execute(SetIdentitySecret, new { Id = workspaceId, Secret = secret, At = now, KeepUntil = keepOldUntil }, tx) != 1)
            throw new KeyNotFoundException($"No workspace '{workspaceId}'.");
        return secret;
    }

    public static Workspace? Find(DbConnection c, DbTransaction tx, string id) =>
        c.QuerySingleOrDefault<WorkspaceRow>(SelectById, new { Id = id }, tx)?.ToWorkspace();

    public static void Save(DbConnection c, DbTransaction tx, Workspace w) =>
        c.Execute(UpdateSettings, new
        {
            w.Id,
            w.Name,
            w.ProductName,
            AllowedOrigins = JsonSerializer.Serialize(w.AllowedOrigins),
            w.RequireUserHash,
            w.FatigueDays,
            w.TestMode,
            w.NpsTarget,
            w.ViewersMayExport,
            w.UpdatedAt,
        }, tx);
}

/// <summary>What a new workspace starts with. Fixed keys are for the development demo only.</summary>
public sealed record NewWorkspace(
    string Name,
    IReadOnlyList<string> AllowedOrigins,
    string? ProductName = null,
    bool RequireUserHash = true,
    string? Id = null,
    string? SiteKey = null,
    string? SecretKey = null,
    string? IdentitySecret = null);

/// <summary>A workspace was created; hooks run inside the creating transaction.</summary>
public sealed record WorkspaceCreated(string WorkspaceId, long At);

/// <summary>
/// Something another feature must add in the transaction that creates a workspace (its first
/// survey), so the workspace never exists without it. Registered in DI; the CLI passes its own list.
/// </summary>
public interface IWorkspaceHook
{
    void WorkspaceCreated(DbConnection c, DbTransaction tx, WorkspaceCreated created);
}
