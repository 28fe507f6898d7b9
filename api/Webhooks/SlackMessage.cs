using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pulse.Api.Surveys;

namespace Pulse.Api.Webhooks;

/// <summary>
/// Turns a stored event into a Slack incoming-webhook message (<c>text</c> + Block Kit
/// <c>blocks</c>). Everything that came from an end user is escaped, so a comment or a trait
/// cannot mention <c>@channel</c>, smuggle a link, format text or start a line that looks like
/// one of ours. Pure.
/// </summary>
public static class SlackMessage
{
    const int MaxComment = 2000;

    /// <summary>
    /// The message for a stored event. Events about an answer link to that response's page
    /// (<c>{dashboardUrl}#/responses/{id}</c>); others to the dashboard.
    /// </summary>
    public static string Format(string eventJson, string dashboardUrl)
    {
        using var doc = JsonDocument.Parse(eventJson);
        var root = doc.RootElement;
        var type = root.GetProperty("type").GetString();
        var data = root.GetProperty("data");
        var link = $"<{Entities(dashboardUrl)}|Open the Pulse dashboard>";
        return type switch
        {
            WebhookEvents.ResponseCreated or WebhookEvents.ResponseUpdated =>
                ForResponse(type, data, ResponseLink(dashboardUrl, data.GetProperty("response"))),
            WebhookEvents.FollowUpAssigned or WebhookEvents.FollowUpClosed or WebhookEvents.FollowUpOverdue =>
                ForFollowUp(type, data, ResponseLink(dashboardUrl, data.GetProperty("response"))),
            WebhookEvents.DeclineCreated => ForDecline(data, link),
            _ => Message("Pulse test message: this Slack webhook receives Pulse alerts.",
                [Section("*Pulse test message* — this Slack webhook receives Pulse alerts."), Context(link)]),
        };
    }

    static string ForResponse(string type, JsonElement data, string link)
    {
        var r = data.GetProperty("response");
        var score = r.GetProperty("score").GetInt32();
        var category = r.GetProperty("category").GetString() ?? "";
        var survey = SurveyName(data);
        var who = Who(r);
        var account = Account(r.GetProperty("traits"));
        var verb = type == WebhookEvents.ResponseUpdated ? "updated their answer" : "answered";
        var outOf = OutOf(data);
        var headline = $"{Escape(who)} {verb}: *{score}/{outOf}* ({Escape(Title(category))}) on {Escape(survey)}";
        var blocks = new List<JsonNode> { Section(headline) };
        var comment = Str(r, "comment");
        if (!string.IsNullOrWhiteSpace(comment))
            blocks.Add(Section(Quote(comment)));
        var facts = new List<string> { $"*User:* {Escape(who)}" };
        if (account is not null)
            facts.Add($"*Account:* {Escape(account)}");
        if (Trait(r.GetProperty("traits"), "plan") is { } plan)
            facts.Add($"*Plan:* {Escape(plan)}");
        if (type == WebhookEvents.ResponseUpdated && r.TryGetProperty("previousScore", out var prev) && prev.ValueKind == JsonValueKind.Number)
            facts.Add($"*Before:* {prev.GetInt32()}/{outOf}");
        blocks.Add(Context(string.Join("  ·  ", facts)));
        blocks.Add(Context(link));
        var text = $"{who} {verb} {score}/{outOf} ({category}) on {survey}" + (account is null ? "" : $" — {account}");
        return Message(Escape(text), blocks);
    }

    /// <summary>The link to a response's page in the dashboard (the id is a number we wrote, so it needs no escaping).</summary>
    static string ResponseLink(string dashboardUrl, JsonElement response) =>
        $"<{Entities(dashboardUrl)}#/responses/{response.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture)}|Open this response in Pulse>";

    static string ForFollowUp(string type, JsonElement data, string link)
    {
        var f = data.GetProperty("followUp");
        var r = data.GetProperty("response");
        var who = Who(r);
        var account = Account(r.GetProperty("traits"));
        var assignee = f.TryGetProperty("assignee", out var a) && a.ValueKind == JsonValueKind.Object ? Str(a, "name") ?? Str(a, "email") : null;
        var what = type switch
        {
            WebhookEvents.FollowUpAssigned => $"assigned to {assignee ?? "nobody"}",
            WebhookEvents.FollowUpClosed => "closed" + (Str(f, "outcome") is { } outcome ? $" ({outcome.Replace('_', ' ')})" : ""),
            _ => "overdue" + (Str(f, "dueAt") is { } due ? $" (due {due})" : ""),
        };
        var score = r.GetProperty("score").GetInt32();
        var text = $"Follow-up {what}: {who} gave {score}/{OutOf(data)} ({r.GetProperty("category").GetString()})" + (account is null ? "" : $" — {account}");
        var blocks = new List<JsonNode> { Section(Escape(text)) };
        if (Str(r, "comment") is { } comment && !string.IsNullOrWhiteSpace(comment))
            blocks.Add(Section(Quote(comment)));
        blocks.Add(Context(link));
        return Message(Escape(text), blocks);
    }

    static string ForDecline(JsonElement data, string link)
    {
        var d = data.GetProperty("decline");
        var who = Who(d);
        var account = Account(d.GetProperty("traits"));
        var text = $"{who} dismissed {SurveyName(data)}" + (account is null ? "" : $" — {account}");
        return Message(Escape(text), [Section(Escape(text)), Context(link)]);
    }

    static string Message(string text, List<JsonNode> blocks) =>
        new JsonObject { ["text"] = text, ["blocks"] = new JsonArray([.. blocks]) }.ToJsonString();

    static JsonObject Section(string mrkdwn) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = mrkdwn },
    };

    static JsonObject Context(string mrkdwn) => new()
    {
        ["type"] = "context",
        ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = mrkdwn }),
    };

    /// <summary>
    /// End-user text (a user id, a trait, a survey name) for one line of a message: line breaks and
    /// other control characters become spaces, so the value cannot start a line of its own, and the
    /// text is made inert (<see cref="Inert"/>).
    /// </summary>
    public static string Escape(string value) => Inert(OneLine(value));

    /// <summary>
    /// Slack's entity escaping (&amp;, &lt;, &gt; — what makes links and mentions), and the mrkdwn
    /// markers <c>* _ ~ `</c> replaced by look-alikes (∗ ＿ ∼ ˋ) wherever they could open or close
    /// formatting — anywhere but between two letters or digits, so <c>john_doe</c> stays as it is.
    /// Slack has no escape for them, and a value like <c>*Plan:* enterprise</c> must not render as
    /// one of our bold labels.
    /// </summary>
    static string Inert(string value)
    {
        var text = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var inWord = i > 0 && i < value.Length - 1 && char.IsLetterOrDigit(value[i - 1]) && char.IsLetterOrDigit(value[i + 1]);
            text.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '*' when !inWord => "\u2217",
                '_' when !inWord => "\uff3f",
                '~' when !inWord => "\u223c",
                '`' => "\u02cb",
                _ => c.ToString(),
            });
        }
        return text.ToString();
    }

    /// <summary>Only Slack's entity escaping: for our own URLs, whose characters must stay as they are.</summary>
    static string Entities(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    static string OneLine(string value)
    {
        if (!value.Any(IsBreak))
            return value;
        var text = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (!IsBreak(c))
                text.Append(c);
            else if (text.Length > 0 && text[^1] != ' ')
                text.Append(' ');
        }
        return text.ToString();
    }

    static bool IsBreak(char c) => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085';

    /// <summary>A comment as a quote: every line of it (CR, LF, CRLF, U+2028…) starts with "&gt; ", its text made inert.</summary>
    static string Quote(string comment)
    {
        var text = comment.Length > MaxComment ? comment[..MaxComment] + "…" : comment;
        var quoted = new StringBuilder();
        foreach (var line in text.Split(["\r\n", "\r", "\n", "\u2028", "\u2029", "\u0085"], StringSplitOptions.None))
            quoted.Append("> ").Append(Inert(OneLine(line))).Append('\n');
        return quoted.ToString().TrimEnd('\n');
    }

    static string Who(JsonElement subject) => Str(subject, "email") ?? Str(subject, "userId") ?? "Someone";

    static string SurveyName(JsonElement data) =>
        data.TryGetProperty("survey", out var s) ? Str(s, "name") ?? Str(s, "id") ?? "a survey" : "a survey";

    static string? Account(JsonElement traits)
    {
        var name = Trait(traits, "accountName");
        var id = Trait(traits, "accountId");
        return name is not null && id is not null && name != id ? $"{name} ({id})" : name ?? id;
    }

    static string? Trait(JsonElement traits, string key) =>
        traits.ValueKind == JsonValueKind.Object && traits.TryGetProperty(key, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
                _ => null,
            }
            : null;

    static string? Str(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The top of the survey's scale (10, or 5 for CSAT, 7 for CES), from the event's <c>survey.kind</c>.</summary>
    static int OutOf(JsonElement data) =>
        QuestionKinds.Of(data.TryGetProperty("survey", out var s) ? Str(s, "kind") ?? QuestionKinds.NpsName : QuestionKinds.NpsName).Max;

    static string Title(string category) =>
        category.Length == 0 ? category : char.ToUpper(category[0], CultureInfo.InvariantCulture) + category[1..];
}
