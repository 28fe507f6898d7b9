using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pulse.Client;

/// <summary>Request bodies as the API reads them (camelCase; nulls left out so "keep" fields stay kept).</summary>
internal sealed record EligibilityBody(PulseUser User, string? Event, string? Locale, string? Url, bool? Force);

internal sealed record AnswerBody(string DisplayToken, int Score, string? Comment, IReadOnlyDictionary<string, string>? FollowUp, string? SiteKey);

internal sealed record TokenBody(string DisplayToken, string? SiteKey);

internal sealed record OptOutBody(string UserId);

/// <summary>The parts of an RFC 9457 problem document Pulse fills.</summary>
internal sealed record ProblemBody(string? Title, string? Detail, int? Status, Dictionary<string, string[]>? Errors);

/// <summary>Source-generated JSON for every type the client reads or writes: no reflection, trimming- and AOT-safe.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EligibilityBody))]
[JsonSerializable(typeof(AnswerBody))]
[JsonSerializable(typeof(TokenBody))]
[JsonSerializable(typeof(OptOutBody))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(EligibilityResult))]
[JsonSerializable(typeof(SavedAnswer))]
[JsonSerializable(typeof(NpsReport))]
internal sealed partial class PulseJsonContext : JsonSerializerContext;

internal static class JsonSerializerExtensions
{
    public static Task<ProblemBody?> ReadProblemAsync(HttpContent content, CancellationToken cancellationToken) =>
        System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync(content, PulseJsonContext.Default.ProblemBody, cancellationToken);
}
