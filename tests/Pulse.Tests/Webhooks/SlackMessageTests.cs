using System.Text.Json;
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
        var response = new ResponseWritten(9, display, score, Pulse.Tests.Webhooks.Outbox.Category(score), comment, null, 2_000, 3_000, created,
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
            Assert.That(text, Does.Contain("<https://pulse.acme.test/dashboard|"));
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
}
