using System.Text;
using System.Text.RegularExpressions;

namespace Pulse.Tests.Docs;

/// <summary>One shell command of a code block, with what the doc says it answers.</summary>
/// <param name="Text">The command, continuation lines joined.</param>
/// <param name="Status">The status named by its result comment (<c># 204</c>), or null for "any 2xx".</param>
/// <param name="ResultKeys">Key sets the answer may show, one per alternative the doc gives (<c>— or —</c>); empty when the doc shows none.</param>
public sealed record DocCommand(string Doc, int Line, string Text, int? Status, IReadOnlyList<IReadOnlyList<string>> ResultKeys)
{
    public bool IsCurl => Regex.IsMatch(Text, @"(^|[|;&]\s*)curl\s");

    /// <summary><c>NAME=value</c> or <c>export NAME=value</c>: kept for the commands after it.</summary>
    public bool IsAssignment => Regex.IsMatch(Text, @"^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=");

    public override string ToString() => $"{Doc}:{Line}: {Text}";
}

/// <summary>A fenced shell block of a doc, with the marker written above it, if any.</summary>
public sealed record DocBlock(string Doc, int Line, IReadOnlyList<DocCommand> Commands, string? Marker);

/// <summary>
/// Finds the shell examples in markdown. A block is fenced with <c>```sh</c> (or bash, shell); an
/// HTML comment on the line above it, <c>&lt;!-- example: skip (why) --&gt;</c> or
/// <c>&lt;!-- example: may be empty (why) --&gt;</c>, tells the docs test to leave it out or to
/// accept an empty list. A comment line right after a command (or at its end) is its result:
/// <c># 204</c>, <c># 202 {"eventId": …}</c>, <c># {"eligible":false,…}  — or —</c>. A ```json block
/// right after the shell block shows the answer of its last command.
/// </summary>
public static class DocExamples
{
    static readonly Regex Fence = new(@"^\s*```(\w*)\s*$");
    static readonly Regex Marker = new(@"^\s*<!--\s*example:\s*(?<m>[^>]*?)\s*-->\s*$");

    public static IReadOnlyList<DocBlock> Parse(string doc, string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<DocBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Fence.Match(lines[i]);
            if (!open.Success || open.Groups[1].Value.Length == 0)
                continue;
            var end = i + 1;
            while (end < lines.Length && !Fence.IsMatch(lines[end]))
                end++;
            if (open.Groups[1].Value is "sh" or "bash" or "shell")
            {
                var marker = i > 0 && Marker.Match(lines[i - 1]) is { Success: true } m ? m.Groups["m"].Value : null;
                var json = JsonAfter(lines, end + 1);
                blocks.Add(new DocBlock(doc, i + 1, Commands(doc, lines, i + 1, end, json), marker));
            }
            i = end;
        }
        return blocks;
    }

    /// <summary>The ```json block that starts on the line after a closing fence, if one does.</summary>
    static string? JsonAfter(string[] lines, int at)
    {
        if (at >= lines.Length || Fence.Match(lines[at]) is not { Success: true } open || open.Groups[1].Value != "json")
            return null;
        var text = new StringBuilder();
        for (var i = at + 1; i < lines.Length && !Fence.IsMatch(lines[i]); i++)
            text.AppendLine(lines[i]);
        return text.ToString();
    }

    static List<DocCommand> Commands(string doc, string[] lines, int from, int to, string? json)
    {
        var commands = new List<(int Line, string Text, List<string> Results)>();
        (int Line, string Text, List<string> Results)? current = null;
        var afterCommand = false;
        for (var i = from; i < to; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                afterCommand = false;
                continue;
            }
            if (line.StartsWith('#'))
            {
                if (afterCommand && current is not null)
                    current.Value.Results.Add(line[1..].Trim());
                continue;
            }
            // A command goes on over a trailing backslash and over line breaks inside quotes.
            var text = new StringBuilder();
            var start = i;
            while (i + 1 < to)
            {
                if (lines[i].TrimEnd().EndsWith('\\'))
                    text.Append(lines[i].TrimEnd()[..^1]).Append(' ');
                else if (QuoteOpen(text + lines[i]))
                    text.Append(lines[i]).Append('\n');
                else
                    break;
                i++;
            }
            text.Append(lines[i]);
            var (command, trailing) = SplitComment(text.ToString().Trim());
            current = (start + 1, command, trailing is null ? [] : [trailing]);
            commands.Add(current.Value);
            afterCommand = true;
        }
        return [.. commands.Select((c, index) =>
        {
            var results = string.Join(" ", c.Results);
            var status = Regex.Match(results, @"^(?<s>[1-5]\d\d)\b") is { Success: true } s ? int.Parse(s.Groups["s"].Value, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
            var keys = results.Split("— or —").Select(TopLevelKeys).Where(k => k.Count > 0).ToList();
            if (index == commands.Count - 1 && json is not null)
                keys.Add(TopLevelKeys(json));
            return new DocCommand(doc, c.Line, c.Text, status, keys);
        })];
    }

    /// <summary>Whether <paramref name="text"/> ends inside a quoted string (a <c># comment</c> does not count).</summary>
    static bool QuoteOpen(string text) => Scan(text).QuoteOpen;

    /// <summary>The command and its trailing <c># comment</c> (a '#' outside quotes, after a space).</summary>
    static (string Command, string? Comment) SplitComment(string text) =>
        Scan(text).CommentAt is var at and >= 0 ? (text[..at].TrimEnd(), text[(at + 1)..].Trim()) : (text, null);

    /// <summary>Where a shell comment starts (-1: none), and whether the text ends inside quotes.</summary>
    static (int CommentAt, bool QuoteOpen) Scan(string text)
    {
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                if (c == quote)
                    quote = null;
            }
            else if (c is '\'' or '"')
                quote = c;
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(text[i - 1])))
                return (i, false);
        }
        return (-1, quote is not null);
    }

    /// <summary>The keys of the outermost object of a JSON-like text with "…" in it.</summary>
    public static List<string> TopLevelKeys(string text)
    {
        var keys = new List<string>();
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    depth--;
                    break;
                case '"':
                    var close = text.IndexOf('"', i + 1);
                    if (close < 0)
                        return keys;
                    var rest = text[(close + 1)..].TrimStart();
                    if (depth == 1 && rest.StartsWith(':') && text[(i + 1)..close] is var key && Regex.IsMatch(key, @"^\w+$"))
                        keys.Add(key);
                    i = close;
                    break;
            }
        }
        return keys;
    }
}
