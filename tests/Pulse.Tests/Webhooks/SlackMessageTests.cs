using System.Text.Json;
using Pulse.Api.Displays;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Tests.Fakers;

namespace Pulse.Tests.Webhooks;

public sealed class SlackMessageTests
{
    static readonly Respondent Jane = RespondentFaker.Create(7).Generate();

    static string ResponseEvent(int score, string? comment, bool created = true)
    {
        var display = new DisplayWritten(5, "ws_1", "srv_1", Jane.UserId, Jane.Email, Jane.TraitsJson, "en", "https://app.acme.test/jobs", 1_000);
        var response = new ResponseWritten(9, display, score, NpsCategory.Of(score), comment, null, 2_000, 3_000, created,
            created ? null : 9, created ? null : "promoter");
        return WebhookEvents.ResponsePayload("evt_1", DateTimeOffset.UnixEpoch, "Relationship NPS", response);
    }

    static string AllText(string slackJson)
    {
        using var doc = JsonDocument.Parse(slackJson);
        return string.Join("\n", ReceivedWebhook.Strings(doc.RootElement));
    }

    [Test]
    public void Format_DetractorResponse_ShowsScoreCategoryCommentUserAccountAndDashboardLink()
    {
        var slack = SlackMessage.Format(ResponseEvent(3, "Search is slow"), "https://pulse.acme.test/dashboard");
        using var doc = JsonDocument.Parse(slack);
        var text = AllText(slack);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(doc.RootElement.GetProperty("text").GetString(), Does.Contain("3/10").And.Contain("detractor"));
            Assert.That(doc.RootElement.GetProperty("blocks").GetArrayLength(), Is.GreaterThanOrEqualTo(3));
            Assert.That(text, Does.Contain("Search is slow"));
            Assert.That(text, Does.Contain(Jane.Email));
            Assert.That(text, Does.Contain(SlackMessage.Escape(Jane.AccountName)));
            Assert.That(text, Does.Contain(Jane.AccountId));
            Assert.That(text, Does.Match(@"<https://pulse\.acme\.test/dashboard#/responses/\d+\|Open this response in Pulse>"), "links to the response's page");
        }
    }

    [Test]
    public void Format_CommentWithSlackControlSequences_IsEscaped()
    {
        var slack = SlackMessage.Format(ResponseEvent(0, "<!channel> see <https://evil.test|here> & now"), "https://pulse.acme.test/dashboard");
        var text = AllText(slack);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Does.Not.Contain("<!channel>"));
            Assert.That(text, Does.Not.Contain("<https://evil.test"));
            Assert.That(text, Does.Contain("&lt;!channel&gt; see &lt;https://evil.test|here&gt; &amp; now"));
        }
    }

    [Test]
    public void Format_UpdatedResponse_SaysSoAndShowsThePreviousScore()
    {
        var text = AllText(SlackMessage.Format(ResponseEvent(4, null, created: false), "https://p.test/dashboard"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Does.Contain("updated"));
            Assert.That(text, Does.Contain("9/10"));
            Assert.That(text, Does.Contain("4/10"));
        }
    }

    [Test]
    public void Format_Decline_NamesTheUserAndSurvey()
    {
        var display = new DisplayWritten(5, "ws_1", "srv_1", Jane.UserId, Jane.Email, Jane.TraitsJson, "en", null, 1_000);
        var json = WebhookEvents.DeclinePayload("evt_2", DateTimeOffset.UnixEpoch, "Relationship NPS", new DeclineWritten(display, 2_000));
        var text = AllText(SlackMessage.Format(json, "https://p.test/dashboard"));
        Assert.That(text, Does.Contain(Jane.Email).And.Contain("dismissed").And.Contain("Relationship NPS"));
    }

    static string ForgedEvent(string userId, string traitsJson, string? comment)
    {
        var display = new DisplayWritten(5, "ws_1", "srv_1", userId, null, traitsJson, "en", null, 1_000);
        var response = new ResponseWritten(9, display, 2, "detractor", comment, null, 2_000, 3_000, true, null, null);
        return WebhookEvents.ResponsePayload("evt_1", DateTimeOffset.UnixEpoch, "Relationship NPS", response);
    }

    static List<string> MrkdwnTexts(string slackJson)
    {
        using var doc = JsonDocument.Parse(slackJson);
        var texts = new List<string>();
        foreach (var block in doc.RootElement.GetProperty("blocks").EnumerateArray())
        {
            if (block.TryGetProperty("text", out var t))
                texts.Add(t.GetProperty("text").GetString()!);
            if (block.TryGetProperty("elements", out var elements))
                texts.AddRange(elements.EnumerateArray().Select(e => e.GetProperty("text").GetString()!));
        }
        return texts;
    }

    [Test]
    public void Format_TraitsAndCommentsWithLineBreaksAndMarkers_ForgeNoLinesOrLabels()
    {
        var traits = JsonSerializer.Serialize(new
        {
            plan = "free\n*Plan:* enterprise",
            accountName = "Tiny\r\n*Account:* Big Corp (big)",
            accountId = "tiny\u2028_*Before:* 10/10_",
        });
        var slack = SlackMessage.Format(ForgedEvent("u-1\u2029~struck~", traits,
            "Fine\r*Account:* Big Corp\u2028`code` and _italics_\n\n> nested"), "https://p.test/dashboard");
        var texts = MrkdwnTexts(slack);
        var all = string.Join("\n", texts);
        using var doc = JsonDocument.Parse(slack);
        var comment = texts.Single(t => t.StartsWith("> ", StringComparison.Ordinal));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(texts.Where(t => t != comment), Has.None.Contain("\n").And.None.Contain("\r").And.None.Contain("\u2028").And.None.Contain("\u2029"));
            Assert.That(doc.RootElement.GetProperty("text").GetString(), Does.Not.Contain("\n").And.Not.Contain("\r").And.Not.Contain("*"));
            Assert.That(comment.Split('\n'), Has.Length.EqualTo(5).And.All.StartWith("> "));
            foreach (var label in new[] { "*Plan:*", "*Account:*", "*User:*" })
                Assert.That(all.Split(label).Length - 1, Is.EqualTo(1), label + " appears once, as ours");
            Assert.That(all, Does.Not.Contain("*Before:*").And.Not.Contain("~struck~").And.Not.Contain("`code`").And.Not.Contain("_italics_"));
            Assert.That(all, Does.Contain("free \u2217Plan:\u2217 enterprise"));
            Assert.That(comment, Does.Contain("> \u2217Account:\u2217 Big Corp"));
            Assert.That(comment, Does.Contain("> &gt; nested"));
        }
    }

    [Test]
    public void Format_MarkersInsideWords_AreLeftAsTheyAre()
    {
        var slack = SlackMessage.Format(ForgedEvent("john_doe", "{}", "snake_case and 2*3*4"), "https://p.test/dash_board");
        var all = string.Join("\n", MrkdwnTexts(slack));
        Assert.That(all, Does.Contain("john_doe").And.Contain("snake_case and 2*3*4").And.Contain("<https://p.test/dash_board#/responses/9|"));
    }
}
