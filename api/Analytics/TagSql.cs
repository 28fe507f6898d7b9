using System.Text.Json;
using Pulse.Api.Operations;

namespace Pulse.Api.Analytics;

/// <summary>
/// How the read side sees the tags on responses (<c>response_tags</c>, written by the FollowUps
/// folder's <c>TagStore</c>): SQL fragments for lists and filters, and the rule of a tag name, so
/// analytics never depends on the folder that writes tags.
/// </summary>
public static class TagSql
{
    public const int MaxNameLength = 40;

    /// <summary>The reserved <c>groupBy</c> value of NPS analytics that groups by tag instead of a trait.</summary>
    public const string GroupBy = "tag";

    /// <summary>The tags of a response as a JSON array, for SQL that lists responses (<c>r</c> is the response).</summary>
    public const string TagsOfResponse = "(SELECT json_group_array(tag) FROM (SELECT tag FROM response_tags WHERE response_id = r.id ORDER BY tag) AS tags)";

    /// <summary>True when response <c>r</c> carries <c>@Tag</c>, or <c>@Tag</c> is null.</summary>
    public const string HasTag = "(@Tag IS NULL OR EXISTS (SELECT 1 FROM response_tags WHERE response_id = r.id AND tag = @Tag))";

    /// <summary>A JSON array of tags as read by <see cref="TagsOfResponse"/>.</summary>
    public static IReadOnlyList<string> Parse(string? json) => json is null ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [];

    /// <summary>Why <paramref name="name"/> (trimmed) is not a tag name, or null.</summary>
    public static string? NameError(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Trim().Length > MaxNameLength ? $"A tag has 1 to {MaxNameLength} characters."
        : FreeText.HasControl(name) ? FreeText.NoControl("A tag")
        : name.Contains(',', StringComparison.Ordinal) ? "A tag cannot contain a comma (commas separate tags in the CSV)."
        : null;
}
