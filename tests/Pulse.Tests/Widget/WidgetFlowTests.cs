using Microsoft.Playwright;
using Pulse.Api.Workspaces;

namespace Pulse.Tests.Widget;

/// <summary>
/// A demo user on the sample page that <c>dotnet run --project api</c> serves: sees the survey,
/// answers, is stored, and is not asked again — with the keyboard alone and with the mouse.
/// </summary>
public sealed class WidgetFlowTests : WidgetBrowserTest
{
    string SamplePage(string userId) => new Uri(Api.Address!, "/?user=" + userId).ToString();

    [Test]
    public async Task DemoUser_AnswersWithTheKeyboardAlone_IsStored_AndNotAskedAgain()
    {
        const string user = "demo-keyboard";
        var first = await EligibilityAfter(() => Page.GotoAsync(SamplePage(user)));
        await Survey.WaitForAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.GetProperty("eligible").GetBoolean(), Is.True);
            Assert.That(await FocusInSurvey(), Is.Empty, "the survey must not take focus when it appears");
        }

        await TabIntoSurvey();
        Assert.That(await FocusInSurvey(), Is.EqualTo("input:0"));
        for (var i = 0; i < 9; i++)
            await Page.Keyboard.PressAsync("ArrowRight");
        Assert.That(await Radio(9).IsCheckedAsync(), Is.True);

        var scoreStatus = await StatusOfPostAfter("/v1/responses", () => Page.Keyboard.PressAsync("Enter"));
        await Comment.WaitForAsync();
        Assert.That(await FocusInSurvey(), Is.EqualTo("textarea"), "focus follows the user into the follow-up");
        await Page.Keyboard.TypeAsync("Scheduling interviews is quick.");
        await Page.Keyboard.PressAsync("Tab");
        Assert.That(await FocusInSurvey(), Is.EqualTo("button.b"));
        var commentStatus = await StatusOfPostAfter("/v1/responses", () => Page.Keyboard.PressAsync("Enter"));
        await Thanks.WaitForAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(scoreStatus, Is.EqualTo(201));
            Assert.That(commentStatus, Is.EqualTo(200));
            Assert.That(await Status.TextContentAsync(), Is.Not.Empty);
            Assert.That(ResponseOf(DemoWorkspace.Id, user), Is.EqualTo(new StoredResponse(9, "promoter", "Scheduling interviews is quick.")));
            Assert.That(await Page.Locator("#log li").AllTextContentsAsync(), Has.Some.StartsWith("shown"));
            Assert.That(await Page.Locator("#log li").AllTextContentsAsync(), Has.Some.StartsWith("answered {\"surveyId\":"));
        }

        var again = await EligibilityAfter(() => Page.ReloadAsync());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.GetProperty("eligible").GetBoolean(), Is.False);
            Assert.That(again.GetProperty("reason").GetString(), Is.EqualTo("throttled_response"));
            Assert.That(await Page.Locator("pulse-survey").CountAsync(), Is.Zero);
            Assert.That(await Page.Locator("#log li").AllTextContentsAsync(), Has.Some.EqualTo("skipped {\"reason\":\"throttled_response\"}"),
                "the page hears why no survey is shown");
        }
    }

    [Test]
    public async Task DemoUser_AnswersWithTheMouse_In320PixelsWidth()
    {
        const string user = "demo-mouse";
        await OpenAsync(new() { ViewportSize = new() { Width = 320, Height = 640 }, HasTouch = false });
        await Page.GotoAsync(SamplePage(user));
        await Survey.WaitForAsync();

        var layout = await Page.EvaluateAsync<double[]>("""
            (() => {
              const root = document.querySelector('pulse-survey').shadowRoot;
              const panel = root.querySelector('section').getBoundingClientRect();
              const labels = root.querySelectorAll('.s label');
              return [document.documentElement.scrollWidth, panel.left, panel.right,
                      labels[0].getBoundingClientRect().top, labels[10].getBoundingClientRect().top,
                      labels[0].getBoundingClientRect().width];
            })()
            """);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(layout[0], Is.LessThanOrEqualTo(320), "no horizontal scrolling");
            Assert.That(layout[1], Is.GreaterThanOrEqualTo(0));
            Assert.That(layout[2], Is.LessThanOrEqualTo(320));
            Assert.That(layout[4], Is.GreaterThan(layout[3]), "the scale wraps onto a second row");
            Assert.That(layout[5], Is.GreaterThanOrEqualTo(24), "targets stay at least 24 px wide");
        }

        await ScoreBox(3).ClickAsync();
        var scoreStatus = await StatusOfPostAfter("/v1/responses", () => PrimaryButton.ClickAsync());
        await Comment.ClickAsync();
        await Comment.FillAsync("The calendar sync keeps failing.");
        var commentStatus = await StatusOfPostAfter("/v1/responses", () => PrimaryButton.ClickAsync());
        await Thanks.WaitForAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(scoreStatus, Is.EqualTo(201));
            Assert.That(commentStatus, Is.EqualTo(200));
            Assert.That(ResponseOf(DemoWorkspace.Id, user), Is.EqualTo(new StoredResponse(3, "detractor", "The calendar sync keeps failing.")));
        }

        await CloseButton.ClickAsync();
        Assert.That(await Page.Locator("pulse-survey").CountAsync(), Is.Zero);
        var again = await EligibilityAfter(() => Page.ReloadAsync());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.GetProperty("reason").GetString(), Is.EqualTo("throttled_response"));
            Assert.That(DisplaysOf(DemoWorkspace.Id, user), Is.EqualTo((0L, 1L)), "closing after answering is not a decline");
        }
    }

    [TestCase("close button")]
    [TestCase("Esc")]
    public async Task Dismissing_RecordsADecline_AndStartsTheCooldown(string how)
    {
        var user = "demo-dismiss-" + how.Replace(' ', '-');
        await Page.GotoAsync(SamplePage(user));
        await Survey.WaitForAsync();

        int status;
        if (how == "Esc")
        {
            await TabIntoSurvey();
            status = await StatusOfPostAfter("/v1/declines", () => Page.Keyboard.PressAsync("Escape"));
        }
        else
        {
            status = await StatusOfPostAfter("/v1/declines", () => CloseButton.ClickAsync());
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(204));
            Assert.That(await Page.Locator("pulse-survey").CountAsync(), Is.Zero);
            Assert.That(DisplaysOf(DemoWorkspace.Id, user), Is.EqualTo((1L, 1L)));
            Assert.That(ResponseOf(DemoWorkspace.Id, user), Is.Null);
            Assert.That(await Page.Locator("#log li").AllTextContentsAsync(), Has.Some.StartsWith("dismissed"));
        }
        if (how == "Esc")
            Assert.That(await Page.EvaluateAsync<string>("document.activeElement.localName"), Is.Not.EqualTo("pulse-survey"));

        var again = await EligibilityAfter(() => Page.ReloadAsync());
        Assert.That(again.GetProperty("reason").GetString(), Is.EqualTo("throttled_decline"));
    }

    [Test]
    public async Task SubmitWithoutAScore_SendsNothing()
    {
        await Page.GotoAsync(SamplePage("demo-no-score"));
        await Survey.WaitForAsync();
        var posts = 0;
        Page.Request += (_, request) => posts += request.Url.EndsWith("/v1/responses", StringComparison.Ordinal) ? 1 : 0;

        await PrimaryButton.ClickAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(posts, Is.Zero);
            Assert.That(await Radio(0).EvaluateAsync<bool>("e => !e.validity.valid"), Is.True, "the scale reports it is required");
            Assert.That(await Comment.CountAsync(), Is.Zero);
        }
    }

    [Test]
    public async Task Track_AsksForTheEventsSurvey()
    {
        using var http = Api.SecretClient(Workspace.SecretKey);
        var created = await http.PostAsync("/v1/surveys", Json.Body("""
            { "name": "After a support case", "trigger": "support_case_closed", "priority": 5,
              "texts": { "en": { "question": "How likely are you to recommend our support to a friend?" } } }
            """));
        Assert.That((int)created.StatusCode, Is.EqualTo(201), await created.Content.ReadAsStringAsync());
        // The page-view survey is answered first, so only the event can bring a survey now.
        await Page.GotoAsync(HostPage("track", "u-track"));
        await Survey.WaitForAsync();
        await ScoreBox(10).ClickAsync();
        await StatusOfPostAfter("/v1/responses", () => PrimaryButton.ClickAsync());
        await CloseButton.ClickAsync();
        Api.Time.Advance(TimeSpan.FromDays(8)); // past the workspace's fatigue gap, within the page-view survey's resurvey throttle

        var answer = await EligibilityAfter(() => Page.EvaluateAsync("pulse('track', 'support_case_closed')"));
        await Survey.WaitForAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.GetProperty("eligible").GetBoolean(), Is.True, answer.ToString());
            Assert.That(await Page.Locator("pulse-survey legend").TextContentAsync(), Is.EqualTo("How likely are you to recommend our support to a friend?"));
        }
    }
}
