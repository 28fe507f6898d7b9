namespace Pulse.Api.Responses;

/// <summary>
/// <c>POST /v1/responses</c>: the answer to one display. <c>comment</c> and <c>followUp</c> left
/// out (or null) keep what an earlier post saved; an empty string or object clears them.
/// <c>siteKey</c> is optional; when sent it must be the site key of the token's workspace.
/// <c>reasons</c> are the ids chosen in the survey's reasons question (<c>other</c> for "Other", its
/// text in <c>reasonOther</c>); left out they keep what was saved, unless the score moved to another
/// category (then they are cleared); an empty list clears them.
/// </summary>
public sealed record ResponsePost(
    string? DisplayToken,
    int? Score,
    string? Comment,
    Dictionary<string, string>? FollowUp,
    string? SiteKey,
    IReadOnlyList<string?>? Reasons = null,
    string? ReasonOther = null);

/// <summary><c>POST /v1/declines</c>: the user dismissed the survey.</summary>
public sealed record DeclinePost(string? DisplayToken, string? SiteKey);

/// <summary>A response as the API returns it after saving.</summary>
public sealed record SavedResponse(
    long Id,
    int Score,
    string Category,
    string? Comment,
    IReadOnlyDictionary<string, string>? FollowUp,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The reason ids chosen (empty: the reasons question was not answered).</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The text of "Other", when it was chosen with a text.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? ReasonOther { get; init; }
}

/// <summary>NPS categories of a 0–10 score. Pure.</summary>
public static class NpsCategory
{
    public const string Promoter = "promoter";
    public const string Passive = "passive";
    public const string Detractor = "detractor";

    /// <summary>Promoter 9–10, passive 7–8, detractor 0–6.</summary>
    public static string Of(int score) => score switch
    {
        < 0 or > 10 => throw new ArgumentOutOfRangeException(nameof(score), score, "A score is 0 to 10."),
        >= 9 => Promoter,
        >= 7 => Passive,
        _ => Detractor,
    };
}
