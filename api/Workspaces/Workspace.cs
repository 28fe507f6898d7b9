using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pulse.Api.Workspaces;

/// <summary>One vendor: its public site key, identity secret and settings.</summary>
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
    long UpdatedAt);

/// <summary>A secret key as listed: never the key itself.</summary>
public sealed record SecretKeyInfo(string Id, string WorkspaceId, string Hint, long CreatedAt, long? RevokedAt);

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
    DateTimeOffset UpdatedAt);

/// <summary>
/// <c>PUT /v1/workspace</c>: the settings to change. Omitted fields keep their value, so a client
/// can send only what it edits; the identity secret and keys change through their own commands.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record WorkspaceUpdate(
    [property: StringLength(100, MinimumLength = 1)] string? Name,
    [property: StringLength(100, MinimumLength = 1)] string? ProductName,
    [property: MaxLength(50)] IReadOnlyList<string>? AllowedOrigins,
    bool? RequireUserHash,
    [property: Range(0, 365)] int? FatigueDays,
    bool? TestMode);

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

    public Workspace ToWorkspace() => new(Id, Name, ProductName, SiteKey, IdentitySecret,
        JsonSerializer.Deserialize<string[]>(AllowedOrigins) ?? [], RequireUserHash != 0, (int)FatigueDays, TestMode != 0, CreatedAt, UpdatedAt);
}

public static class WorkspaceMapping
{
    public static WorkspaceResponse ToResponse(this Workspace w) => new(w.Id, w.Name, w.ProductName, w.SiteKey, w.AllowedOrigins,
        w.RequireUserHash, w.FatigueDays, w.TestMode, DateTimeOffset.FromUnixTimeMilliseconds(w.CreatedAt),
        DateTimeOffset.FromUnixTimeMilliseconds(w.UpdatedAt));
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
}
