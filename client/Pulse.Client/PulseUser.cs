using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pulse.Client;

/// <summary>
/// The signed-in user as your product knows them: Pulse's <c>user</c> object.
/// </summary>
/// <param name="Id">Your id of the user (1–256 characters, no control characters).</param>
public sealed record PulseUser(string Id)
{
    /// <summary>A plain address, used for <c>excludeEmailDomains</c> and shown with answers.</summary>
    public string? Email { get; init; }

    /// <summary>When the user signed up: drives the first-survey delay. Left out, the first time Pulse saw them counts.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>
    /// Traits for targeting and segments (plan, role, csm, industry, companySize, accountId, accountName, arr, …):
    /// strings, numbers, booleans or <see cref="TraitValue.Null"/>. When given they replace the stored set.
    /// </summary>
    public IReadOnlyDictionary<string, TraitValue>? Traits { get; init; }
}

/// <summary>The value of a trait: a string, a number, a boolean or null. Converts implicitly from each.</summary>
[JsonConverter(typeof(TraitValueConverter))]
public readonly struct TraitValue : IEquatable<TraitValue>
{
    readonly string? _text;
    readonly double _number;

    TraitValue(TraitKind kind, string? text = null, double number = 0)
    {
        Kind = kind;
        _text = text;
        _number = number;
    }

    /// <summary>The JSON <c>null</c>: the trait is known to have no value.</summary>
    public static TraitValue Null => default;

    /// <summary>Which of the four kinds this value is.</summary>
    public TraitKind Kind { get; }

    /// <summary>The string, when <see cref="Kind"/> is <see cref="TraitKind.String"/>.</summary>
    public string? AsString => Kind == TraitKind.String ? _text : null;

    /// <summary>The number, when <see cref="Kind"/> is <see cref="TraitKind.Number"/>.</summary>
    public double? AsNumber => Kind == TraitKind.Number ? _number : null;

    /// <summary>The boolean, when <see cref="Kind"/> is <see cref="TraitKind.Boolean"/>.</summary>
    public bool? AsBoolean => Kind == TraitKind.Boolean ? _number != 0 : null;

    /// <summary>A string trait; null becomes <see cref="Null"/>.</summary>
    public static implicit operator TraitValue(string? value) => value is null ? Null : new(TraitKind.String, value);

    /// <summary>A number trait.</summary>
    public static implicit operator TraitValue(int value) => new(TraitKind.Number, number: value);

    /// <summary>A number trait.</summary>
    public static implicit operator TraitValue(long value) => new(TraitKind.Number, number: value);

    /// <summary>A number trait (must be finite).</summary>
    public static implicit operator TraitValue(double value) =>
        double.IsFinite(value) ? new(TraitKind.Number, number: value) : throw new ArgumentOutOfRangeException(nameof(value), value, "A trait number must be finite.");

    /// <summary>A number trait.</summary>
    public static implicit operator TraitValue(decimal value) => new(TraitKind.Number, number: (double)value);

    /// <summary>A boolean trait.</summary>
    public static implicit operator TraitValue(bool value) => new(TraitKind.Boolean, number: value ? 1 : 0);

    /// <summary>Named alternative to the implicit conversion from <see cref="string"/>.</summary>
    public static TraitValue FromString(string? value) => value;

    /// <summary>Named alternative to the implicit conversion from <see cref="double"/>.</summary>
    public static TraitValue FromDouble(double value) => value;

    /// <summary>Named alternative to the implicit conversion from <see cref="bool"/>.</summary>
    public static TraitValue FromBoolean(bool value) => value;

    /// <inheritdoc />
    public bool Equals(TraitValue other) => Kind == other.Kind && _text == other._text && _number.Equals(other._number);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TraitValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, _text, _number);

    /// <summary>Equal kind and value.</summary>
    public static bool operator ==(TraitValue left, TraitValue right) => left.Equals(right);

    /// <summary>Different kind or value.</summary>
    public static bool operator !=(TraitValue left, TraitValue right) => !left.Equals(right);

    /// <summary>The value as JSON would show it (<c>null</c>, <c>true</c>, <c>48000</c>) or the string itself.</summary>
    public override string ToString() => Kind switch
    {
        TraitKind.String => _text!,
        TraitKind.Number => _number.ToString("R", CultureInfo.InvariantCulture),
        TraitKind.Boolean => _number != 0 ? "true" : "false",
        _ => "null",
    };
}

/// <summary>The kinds of trait value Pulse stores.</summary>
public enum TraitKind
{
    /// <summary>JSON <c>null</c>.</summary>
    Null,

    /// <summary>A JSON string.</summary>
    String,

    /// <summary>A JSON number.</summary>
    Number,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,
}

/// <summary>Writes a <see cref="TraitValue"/> as the JSON value it stands for, and reads one back (used by <c>[JsonConverter]</c> on the type).</summary>
public sealed class TraitValueConverter : JsonConverter<TraitValue>
{
    /// <summary>JSON <c>null</c> is a value (<see cref="TraitValue.Null"/>), so the converter sees it.</summary>
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override TraitValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Null => TraitValue.Null,
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => reader.GetDouble(),
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new JsonException($"A trait is a string, a number, a boolean or null, not {reader.TokenType}."),
    };

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TraitValue value, JsonSerializerOptions options)
    {
        switch (value.Kind)
        {
            case TraitKind.String:
                writer.WriteStringValue(value.AsString);
                break;
            case TraitKind.Number:
                writer.WriteNumberValue(value.AsNumber!.Value);
                break;
            case TraitKind.Boolean:
                writer.WriteBooleanValue(value.AsBoolean!.Value);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
