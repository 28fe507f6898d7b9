namespace Pulse.Api.Privacy;

/// <summary>
/// <c>POST /v1/opt-outs</c>: with a secret key, <c>userId</c> (or a display token of the
/// workspace); from a browser, the <c>displayToken</c> of the survey being shown.
/// </summary>
public sealed record OptOutPost(string? UserId, string? DisplayToken, string? SiteKey);

/// <summary>Limits of user ids named by the privacy endpoints.</summary>
public static class PrivacyRules
{
    public const int MaxUserIdLength = 256;

    public static Dictionary<string, string[]> ValidateUserId(string? userId) =>
        string.IsNullOrEmpty(userId) || userId.Length > MaxUserIdLength
            ? new() { ["userId"] = [$"Your id of the user is required: 1–{MaxUserIdLength} characters."] }
            : Operations.FreeText.HasControl(userId)
                ? new() { ["userId"] = [Operations.FreeText.NoControl("userId")] }
                : [];
}
