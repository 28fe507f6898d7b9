using System.Buffers;
using System.Globalization;
using System.Text;

namespace Pulse.Api.Operations;

/// <summary>
/// Rules for text that people name things with (workspace, product and survey names, user ids) and
/// for printing stored text to a terminal. Pure.
/// </summary>
public static class FreeText
{
    /// <summary>C0 and C1 controls (NUL, BEL, ESC, CR, LF, DEL…) and the Unicode line and paragraph separators.</summary>
    static readonly SearchValues<char> Controls = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c)) + "\u2028\u2029");

    /// <summary>
    /// Whether <paramref name="text"/> holds a character that can drive a terminal (ESC sequences,
    /// BEL), break a line or a log record (CR, LF, U+2028) or end a C string (NUL).
    /// </summary>
    public static bool HasControl(string text) => text.AsSpan().IndexOfAny(Controls) >= 0;

    /// <summary>The message of a field that must not hold control characters.</summary>
    public static string NoControl(string field) =>
        $"{field} must not contain control characters (ESC, CR, LF, NUL, BEL, tab…) or line separators.";

    /// <summary>
    /// <paramref name="text"/> with every character a terminal would not print as itself — controls,
    /// format characters (bidirectional overrides, zero-width characters), line separators, unpaired
    /// surrogates — written as <c>\uXXXX</c>, so stored text cannot repaint an operator's screen.
    /// </summary>
    public static string Printable(string text)
    {
        var i = 0;
        while (i < text.Length && IsPrintable(text, i))
            i++;
        if (i == text.Length)
            return text;
        var result = new StringBuilder(text.Length + 16).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            if (IsPrintable(text, i))
                result.Append(text[i]);
            else
                result.Append("\\u").Append(((int)text[i]).ToString("x4", CultureInfo.InvariantCulture));
        }
        return result.ToString();
    }

    static bool IsPrintable(string text, int i)
    {
        var c = text[i];
        if (char.IsHighSurrogate(c))
            return i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
        if (char.IsLowSurrogate(c))
            return i > 0 && char.IsHighSurrogate(text[i - 1]);
        return CharUnicodeInfo.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse => false,
            _ => true,
        };
    }
}
