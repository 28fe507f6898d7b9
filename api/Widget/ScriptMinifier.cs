using System.Text;

namespace Pulse.Api.Widget;

/// <summary>
/// A deliberately small JavaScript minifier for the widget: it removes comments and collapses
/// whitespace, and nothing else (no renaming, no rewriting). Line breaks are kept wherever
/// automatic semicolon insertion could depend on them, strings and regular expressions are copied
/// verbatim, and anything it does not understand (template literals, unterminated strings or
/// comments) is refused with an exception rather than guessed at. Pure logic.
/// </summary>
public static class ScriptMinifier
{
    // After these characters a '/' starts a regular expression, not a division.
    const string RegexAfter = "(,=:[!&|?{};+-*%<>~^";
    static readonly string[] RegexAfterWords = ["return", "typeof", "case", "do", "else", "in", "instanceof", "new", "delete", "void", "throw"];

    // A line break may go when one side already ends or continues the statement unambiguously.
    const string JoinAfter = "{[(,;";
    const string JoinBefore = "}]),;.:?";

    public static string Minify(string source)
    {
        var output = new StringBuilder(source.Length);
        var i = 0;
        var pendingSpace = false;
        var pendingNewline = false;
        while (i < source.Length)
        {
            var c = source[i];
            var next = i + 1 < source.Length ? source[i + 1] : '\0';
            if (c is '\n' or '\r')
            {
                pendingNewline = true;
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                i++;
            }
            else if (c == '/' && next == '/')
            {
                while (i < source.Length && source[i] is not ('\n' or '\r'))
                    i++;
            }
            else if (c == '/' && next == '*')
            {
                var end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                    throw new FormatException($"Unterminated comment at offset {i}.");
                if (source.AsSpan(i, end - i).ContainsAny('\n', '\r'))
                    pendingNewline = true;
                else
                    pendingSpace = true;
                i = end + 2;
            }
            else
            {
                Separate(output, c, pendingSpace, pendingNewline);
                pendingSpace = pendingNewline = false;
                if (c == '`')
                    throw new FormatException($"Template literal at offset {i}: not supported, use a string.");
                if (c is '\'' or '"')
                    i = CopyString(source, i, output);
                else if (c == '/' && StartsRegex(output))
                    i = CopyRegex(source, i, output);
                else
                {
                    output.Append(c);
                    i++;
                }
            }
        }
        return output.ToString();
    }

    /// <summary>Writes what must separate the previous token from <paramref name="next"/>, if anything.</summary>
    static void Separate(StringBuilder output, char next, bool space, bool newline)
    {
        if (output.Length == 0 || !(space || newline))
            return;
        var previous = output[^1];
        if (newline && !JoinAfter.Contains(previous) && !JoinBefore.Contains(next))
            output.Append('\n');
        else if (NeedsSpace(previous, next))
            output.Append(' ');
    }

    static bool NeedsSpace(char previous, char next) =>
        (IsWord(previous) && IsWord(next))
        || (previous == next && previous is '+' or '-' or '/')
        || (char.IsAsciiDigit(previous) && next == '.');

    static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' or '\\' || c > 127;

    static bool StartsRegex(StringBuilder output)
    {
        var end = output.Length;
        if (end > 0 && output[end - 1] == '\n')
            end--;
        if (end == 0)
            return true;
        var last = output[end - 1];
        if (RegexAfter.Contains(last))
            return true;
        if (!IsWord(last))
            return false;
        var start = end;
        while (start > 0 && IsWord(output[start - 1]))
            start--;
        var word = output.ToString(start, end - start);
        return RegexAfterWords.Contains(word);
    }

    static int CopyString(string source, int i, StringBuilder output)
    {
        var quote = source[i];
        var start = i++;
        while (i < source.Length && source[i] != quote)
        {
            if (source[i] is '\n' or '\r')
                break;
            i += source[i] == '\\' ? 2 : 1;
        }
        if (i >= source.Length || source[i] != quote)
            throw new FormatException($"Unterminated string at offset {start}.");
        output.Append(source, start, i + 1 - start);
        return i + 1;
    }

    static int CopyRegex(string source, int i, StringBuilder output)
    {
        var start = i++;
        var inClass = false;
        while (i < source.Length && (inClass || source[i] != '/'))
        {
            if (source[i] is '\n' or '\r')
                throw new FormatException($"Unterminated regular expression at offset {start}.");
            if (source[i] == '[')
                inClass = true;
            else if (source[i] == ']')
                inClass = false;
            i += source[i] == '\\' ? 2 : 1;
        }
        if (i >= source.Length)
            throw new FormatException($"Unterminated regular expression at offset {start}.");
        i++;
        while (i < source.Length && char.IsAsciiLetter(source[i]))
            i++;
        output.Append(source, start, i - start);
        return i;
    }
}
