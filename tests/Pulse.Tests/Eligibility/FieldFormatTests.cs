using System.Text.Json;
using Pulse.Api.Eligibility;
using Pulse.Api.Localization;
using Pulse.Api.Surveys;
using Pulse.Api.Users;

namespace Pulse.Tests.Eligibility;

/// <summary>
/// The format checks and the trait fingerprint run on every eligibility call and are written to allocate
/// nothing (docs/decisions.md H15). Each must still agree with its plain definition, written here as the
/// obvious LINQ over strings, on edge cases and on thousands of generated inputs.
/// </summary>
public sealed class FieldFormatTests
{
    static bool EventNameByDefinition(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '.' or '-');

    static bool TraitKeyByDefinition(string? key) =>
        key is { Length: > 0 and <= Traits.MaxKeyLength }
        && (char.IsAsciiLetter(key[0]) || key[0] == '_')
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    static bool TagByDefinition(string tag)
    {
        if (tag.Length is 0 or > 35)
            return false;
        var parts = tag.Split('-', '_');
        if (parts[0].Length is < 2 or > 8 || !parts[0].All(char.IsAsciiLetter))
            return false;
        return parts.Skip(1).All(p => p.Length is >= 1 and <= 8 && p.All(char.IsAsciiLetterOrDigit));
    }

    static bool EmailByDefinition(string email)
    {
        if (email.Length is < 3 or > EligibilityValidation.MaxEmailLength)
            return false;
        var at = email.IndexOf('@');
        if (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1 || at > 64)
            return false;
        if (email[..at].Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '<' or '>' or '(' or ')' or '[' or ']' or '\\' or ',' or ';' or ':' or '"'))
            return false;
        return email[(at + 1)..].Split('.').All(l => l.Length is > 0 and <= 63 && l.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c > 127 && char.IsLetterOrDigit(c)));
    }

    static string TraitsByDefinition(IReadOnlyDictionary<string, JsonElement> traits)
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

    /// <summary>Short strings over an alphabet that hits every branch: letters of both cases, digits, separators, specials, non-ASCII, controls.</summary>
    static IEnumerable<string> Generated(int count, int seed)
    {
        const string alphabet = "abzAZ09_.-@ <>\"\\:;,\u00e9\u00df\u4e2d\u0001\u007f\u0085\u2028";
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var chars = new char[random.Next(0, 14)];
            for (var j = 0; j < chars.Length; j++)
                chars[j] = alphabet[random.Next(alphabet.Length)];
            yield return new string(chars);
        }
    }

    static readonly string[] Edges =
    [
        "", "a", "ab", "de", "de-", "-de", "de--at", "de-AT", "pt_BR", "gsw-CH", "zh-Hant-TW", "abcdefghi", "de-abcdefghi",
        "x@y", "a@b.c", "a@b..c", "a@.b", "a@b.", "@b.c", "a@@b.c", "a b@c.d", "a@b-c.d", "a@\u00e9.fr", "\"a\"@b.c",
        new string('a', 64) + "@b.c", new string('a', 65) + "@b.c", "a@" + new string('b', 63) + ".c", "a@" + new string('b', 64) + ".c",
        "_x", "9x", "x.y-z_1", new string('k', 64), new string('k', 65), "page_view", "Page_view", new string('e', 65),
    ];

    [Test]
    public void EachCheck_AgreesWithItsDefinition_OnEdgesAndGeneratedInput()
    {
        var inputs = Edges.Concat(Generated(20_000, 19)).ToList();
        var disagreements = new List<string>();
        foreach (var s in inputs)
        {
            if (SurveyValidation.IsEventName(s) != EventNameByDefinition(s))
                disagreements.Add($"event name '{s}'");
            if (Traits.IsValidKey(s) != TraitKeyByDefinition(s))
                disagreements.Add($"trait key '{s}'");
            if (LocaleNegotiation.IsWellFormedTag(s) != TagByDefinition(s))
                disagreements.Add($"locale '{s}'");
            if (EligibilityValidation.IsEmail(s) != EmailByDefinition(s))
                disagreements.Add($"email '{s}'");
            if (EligibilityValidation.HasControl(s) != s.Any(char.IsControl))
                disagreements.Add($"control '{s}'");
        }
        Assert.That(disagreements, Is.Empty);
        Assert.That(inputs.Count(s => EligibilityValidation.IsEmail(s)), Is.GreaterThan(5), "the inputs reach the accepting branches too");
        Assert.That(inputs.Count(s => LocaleNegotiation.IsWellFormedTag(s)), Is.GreaterThan(5));
    }

    [Test]
    public void TraitFingerprint_EqualsTheSortedRewrite_ForManySets_OnOneThread()
    {
        var random = new Random(7);
        var keys = new[] { "plan", "Plan", "role", "arr", "_x", "a.b", "z-1", "\u00e9t\u00e9", "b", "B", "aa", "a" };
        object?[] values = ["pro", "caf\u00e9 \"quoted\" <b>", 12, 1.5, -0.0, true, false, null, new string('v', 256), "\u4e2d\u6587", "line\nbreak"];
        for (var i = 0; i < 2_000; i++)
        {
            var set = new Dictionary<string, object?>();
            for (var j = random.Next(0, keys.Length); j > 0; j--)
                set[keys[random.Next(keys.Length)]] = values[random.Next(values.Length)];
            var traits = Traits.Parse(JsonSerializer.Serialize(set));
            Assert.That(Traits.ToJson(traits), Is.EqualTo(TraitsByDefinition(traits)), $"set {i}: {JsonSerializer.Serialize(set)}");
        }
    }

    [Test]
    public void TraitFingerprint_AfterAnOversizedSet_IsStillExact()
    {
        var big = Traits.Parse(JsonSerializer.Serialize(Enumerable.Range(0, 400).ToDictionary(i => $"k{i:D3}", _ => new string('x', 256))));
        var small = Traits.Parse("""{"b":1,"a":"two"}""");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Traits.ToJson(big), Is.EqualTo(TraitsByDefinition(big)));
            Assert.That(Traits.ToJson(small), Is.EqualTo("""{"a":"two","b":1}"""));
            Assert.That(Traits.ToJson(big), Is.EqualTo(TraitsByDefinition(big)));
            Assert.That(Traits.ToJson(Traits.Empty), Is.EqualTo("{}"));
        }
    }
}
