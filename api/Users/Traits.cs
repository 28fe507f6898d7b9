using System.Buffers;
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
        && !key.AsSpan().ContainsAnyExcept(KeyChars);

    static readonly SearchValues<char> KeyChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");

    /// <summary>Null when the value is allowed, else why not.</summary>
    public static string? CheckValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => TextOf(value) switch
        {
            null => "a string trait must be valid Unicode text (no unpaired surrogate)",
            { Length: > MaxStringLength } => $"a string trait has at most {MaxStringLength} characters",
            _ => null,
        },
        JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => null,
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
    /// <remarks>
    /// Every eligibility call with traits writes this (it is the fingerprint of the user's traits), so it
    /// allocates only the result: the keys are sorted in a pooled array and written to a buffer and writer
    /// kept per thread (decision H15).
    /// </remarks>
    public static string ToJson(IReadOnlyDictionary<string, JsonElement> traits)
    {
        var count = traits.Count;
        if (count == 0)
            return "{}";
        var entries = ArrayPool<KeyValuePair<string, JsonElement>>.Shared.Rent(count);
        var n = 0;
        try
        {
            foreach (var entry in traits)
                entries[n++] = entry;
            Array.Sort(entries, 0, n, ByKey.Instance);
            var (buffer, writer) = ThreadWriter ??= NewWriter();
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            writer.WriteStartObject();
            for (var i = 0; i < n; i++)
            {
                writer.WritePropertyName(entries[i].Key);
                entries[i].Value.WriteTo(writer);
            }
            writer.WriteEndObject();
            writer.Flush();
            var text = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
            if (buffer.Capacity > MaxKeptBuffer)
                ThreadWriter = null; // an unusually large set: do not keep its buffer
            return text;
        }
        finally
        {
            Array.Clear(entries, 0, n);
            ArrayPool<KeyValuePair<string, JsonElement>>.Shared.Return(entries);
        }
    }

    const int MaxKeptBuffer = 64 * 1024;

    [ThreadStatic]
    static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? ThreadWriter;

    static (ArrayBufferWriter<byte>, Utf8JsonWriter) NewWriter()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        return (buffer, new Utf8JsonWriter(buffer));
    }

    sealed class ByKey : IComparer<KeyValuePair<string, JsonElement>>
    {
        public static readonly ByKey Instance = new();

        public int Compare(KeyValuePair<string, JsonElement> x, KeyValuePair<string, JsonElement> y) =>
            string.CompareOrdinal(x.Key, y.Key);
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
