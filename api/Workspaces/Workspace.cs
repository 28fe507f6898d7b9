using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pulse.Api.Access;

namespace Pulse.Api.Workspaces;

/// <summary>
/// One vendor: its public site key, identity secret and settings. After a rotation the previous
/// identity secret keeps verifying until <c>PreviousIdentitySecretExpiresAt</c>.
/// </summary>
public sealed record Workspace(
    string Id,
    string Name,
    string ProductName,
    string SiteKey,
    string IdentitySecret,
    IReadOnlyList<string> AllowedOrigins,
    bool RequireUserHash,
    int FatigueDays,
    bool TestMode,
    long CreatedAt,
    long UpdatedAt,
    double? NpsTarget = null,
    string? PreviousIdentitySecret = null,
    long? PreviousIdentitySecretExpiresAt = null,
    bool ViewersMayExport = false)
{
    /// <summary>Days after any survey during which no other survey is shown, for a new workspace (the one source of it).</summary>
    public const int DefaultFatigueDays = 7;

    /// <summary>
    /// Whether <paramref name="userHash"/> signs <paramref name="userId"/> with the identity secret,
    /// or with the previous one while its rotation window lasts. Constant time per secret.
    /// </summary>
    public bool VerifiesUserHash(string userId, string? userHash, long now) =>
        Keys.VerifyUserHash(IdentitySecret, userId, userHash)
        | (PreviousIdentitySecret is { } previous && PreviousIdentitySecretExpiresAt > now && Keys.VerifyUserHash(previous, userId, userHash));
}

/// <summary>A secret key as listed: never the key itself.</summary>
public sealed record SecretKeyInfo(string Id, string WorkspaceId, string Hint, long CreatedAt, long? RevokedAt, string? Name = null, long? LastUsedAt = null,
    string Scope = KeyScopes.Full);

/// <summary>A secret key that authenticated: its workspace, id, last use, scope and hint.</summary>
public sealed record AuthenticatedKey(string WorkspaceId, string KeyId, long? LastUsedAt, string Scope, string Hint);

/// <summary>The credentials of a new workspace, shown once (the CLI's <c>--json</c> object).</summary>
public sealed record CreatedWorkspace(string WorkspaceId, string SiteKey, string SecretKey, string IdentitySecret);

/// <summary>The workspace as the API shows it to its own secret key.</summary>
public sealed record WorkspaceResponse(
    string Id,
    string Name,
    string ProductName,
    string SiteKey,
    IReadOnlyList<string> AllowedOrigins,
    bool RequireUserHash,
    int FatigueDays,
    bool TestMode,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    double? NpsTarget = null,
    DateTimeOffset? PreviousIdentitySecretExpiresAt = null,
    bool ViewersMayExport = false);

/// <summary>
/// <c>PUT /v1/workspace</c>: the settings to change. Omitted fields keep their value, so a client
/// can send only what it edits; the identity secret and keys change through their own commands.
/// <c>npsTarget</c> is cleared by an explicit null.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record WorkspaceUpdate(
    [property: StringLength(100, MinimumLength = 1)] string? Name,
    [property: StringLength(100, MinimumLength = 1)] string? ProductName,
    [property: MaxLength(50)] IReadOnlyList<string>? AllowedOrigins,
    bool? RequireUserHash,
    [property: Range(0, 365)] int? FatigueDays,
    bool? TestMode,
    bool? ViewersMayExport = null)
{
    readonly double? _npsTarget;

    /// <summary>The NPS the workspace aims for (−100…100), drawn on the dashboard's trend; an explicit null clears it.</summary>
    [Range(-100, 100)]
    public double? NpsTarget
    {
        get => _npsTarget;
        init { _npsTarget = value; HasNpsTarget = true; }
    }

    /// <summary>Whether the body named <c>npsTarget</c> (the JSON serializer calls the setter only then).</summary>
    [JsonIgnore]
    public bool HasNpsTarget { get; private init; }
}

/// <summary>Row shape of <c>workspaces</c>.</summary>
sealed class WorkspaceRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string ProductName { get; set; } = "";
    public string SiteKey { get; set; } = "";
    public string IdentitySecret { get; set; } = "";
    public string AllowedOrigins { get; set; } = "[]";
    public long RequireUserHash { get; set; }
    public long FatigueDays { get; set; }
    public long TestMode { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public double? NpsTarget { get; set; }
    public string? PreviousIdentitySecret { get; set; }
    public long? PreviousIdentitySecretExpiresAt { get; set; }
    public long ViewersMayExport { get; set; }

    public Workspace ToWorkspace() => new(Id, Name, ProductName, SiteKey, IdentitySecret,
        JsonSerializer.Deserialize<string[]>(AllowedOrigins) ?? [], RequireUserHash != 0, (int)FatigueDays, TestMode != 0, CreatedAt, UpdatedAt,
        NpsTarget, PreviousIdentitySecret, PreviousIdentitySecretExpiresAt, ViewersMayExport != 0);
}

public static class WorkspaceMapping
{
    /// <param name="now">Decides whether the previous identity secret still verifies (its expiry is shown only then).</param>
    public static WorkspaceResponse ToResponse(this Workspace w, long now = 0) => new(w.Id, w.Name, w.ProductName, w.SiteKey, w.AllowedOrigins,
        w.RequireUserHash, w.FatigueDays, w.TestMode, DateTimeOffset.FromUnixTimeMilliseconds(w.CreatedAt),
        DateTimeOffset.FromUnixTimeMilliseconds(w.UpdatedAt), w.NpsTarget,
        w.PreviousIdentitySecret is not null && w.PreviousIdentitySecretExpiresAt > now
            ? DateTimeOffset.FromUnixTimeMilliseconds(w.PreviousIdentitySecretExpiresAt.Value) : null,
        w.ViewersMayExport);
}

/// <summary>Settings of workspace lookups (section <c>Workspaces</c>).</summary>
public sealed class WorkspaceOptions
{
    public const string Section = "Workspaces";

    /// <summary>
    /// Seconds a workspace looked up by site key or id is reused. Changes made through this
    /// process apply at once; changes from another process (the CLI) within this bound. 0 turns it off.
    /// </summary>
    [Range(0, 300)]
    public int CacheSeconds { get; set; } = 5;

    /// <summary>How long the identity secret replaced by a rotation keeps verifying userHash (0: not at all).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan IdentitySecretRotationWindow { get; set; } = DefaultIdentitySecretRotationWindow;

    /// <summary>The window of rotations that do not read the configuration (the CLI).</summary>
    public static readonly TimeSpan DefaultIdentitySecretRotationWindow = TimeSpan.FromDays(1);
}
