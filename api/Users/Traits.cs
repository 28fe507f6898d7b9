using System.Text.Json;

namespace Pulse.Api.Users;

/// <summary>
/// Traits are what a vendor knows about a user (plan, role, ARR…): a flat JSON object of
/// strings, numbers, booleans and nulls. Limits keep one user's row and every display's
/// snapshot small. Pure logic.
/// </summary>
public static class Traits
{
    public const int MaxCount = 50;
    public const int MaxKeyLength = 64;
    public const int MaxStringLength = 256;

    /// <summary>A trait key: a letter or underscore, then letters, digits, <c>_ . -</c>; at most 64 characters.</summary>
    public static bool IsValidKey(string? key) =>
        key is { Length: > 0 and <= MaxKeyLength }
        && (char.IsAsciiLetter(key[0]) || key[0] == '_')
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    /// <summary>Null when the value is allowed, else why not.</summary>
    public static string? CheckValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when TextOf(value) is null => "a string trait must be valid Unicode text (no unpaired surrogate)",
        JsonValueKind.String when TextOf(value)!.Length > MaxStringLength => $"a string trait has at most {MaxStringLength} characters",
        JsonValueKind.String or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => null,
        JsonValueKind.Number when value.TryGetDouble(out var d) && double.IsFinite(d) => null,
        JsonValueKind.Number => "a number trait must be a finite double",
        _ => "a trait value is a string, number, boolean or null (no objects or arrays)",
    };

    /// <summary>A JSON string's text, or null when it cannot be decoded (an unpaired UTF-16 surrogate escape).</summary>
    public static string? TextOf(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The canonical JSON of a trait set: keys in ordinal order, so equal sets give equal text.</summary>
    public static string ToJson(IReadOnlyDictionary<string, JsonElement> traits)
    {
        if (traits.Count == 0)
            return "{}";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in traits.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(key);
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Parses a stored trait object; anything but an object reads as no traits.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Parse(string? json)
    {
        if (string.IsNullOrEmpty(json) || json == "{}")
            return Empty;
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            return Empty;
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in doc.RootElement.EnumerateObject())
            result[property.Name] = property.Value.Clone();
        return result;
    }

    public static readonly IReadOnlyDictionary<string, JsonElement> Empty = new Dictionary<string, JsonElement>();
}
