using Dapper;
using Microsoft.Playwright;
using Pulse.Tests.Support;
using Pulse.Tests.Widget;
using static Pulse.Tests.Eligibility.EligibilityCalls;
using static Pulse.Tests.Links.LinkCalls;

namespace Pulse.Tests.Links;

/// <summary>
/// The hosted survey page (<c>/s/{token}</c>) in Chromium: the widget in page mode under the page's
/// strict CSP, axe clean light and dark, answered by keyboard alone, at 320 px, right-to-left, and a
/// GET with <c>?score=N</c> that pre-selects but records nothing.
/// </summary>
public sealed class SurveyPageBrowserTests : WidgetBrowserTest
{
    /// <summary>A fresh personal link for a new user, as an absolute URL on the API.</summary>
    async Task<string> LinkFor(string userId, string? locale = null)
    {
        var link = await Api.SecretClient(Workspace.SecretKey).CreateLink(new { user = User(userId, Api.Time.GetUtcNow()), locale });
        return new Uri(Api.Address!, PathOf(link)).ToString();
    }

    async Task AssertNoViolations(string state)
    {
        Assert.That(await Axe.ViolationsAsync(Page), Is.Empty, state);
    }

    (long Displays, long Responses) RowsOf(string userId)
    {
        using var c = Api.Db.Open();
        return c.QuerySingle<(long, long)>(
            "SELECT (SELECT COUNT(*) FROM displays WHERE user_id = @userId AND channel = 'link'), (SELECT COUNT(*) FROM responses WHERE user_id = @userId)",
            new { userId });
    }

    [TestCase(ColorScheme.Light, "en")]
    [TestCase(ColorScheme.Dark, "en")]
    [TestCase(ColorScheme.Light, "ar")]
    [TestCase(ColorScheme.Dark, "he")]
    public async Task EveryState_HasNoAxeViolations_UnderTheStrictCsp(ColorScheme scheme, string locale)
    {
        var url = await LinkFor($"u-page-a11y-{scheme}-{locale}", locale);
        await OpenAsync(new() { ColorScheme = scheme, ViewportSize = new() { Width = 1024, Height = 768 } });
        await Page.GotoAsync(url);
        await Survey.WaitForAsync();
        var rtl = locale is "ar" or "he";

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.Locator("html").GetAttributeAsync("dir"), Is.EqualTo(rtl ? "rtl" : "ltr"));
            Assert.That(await Survey.GetAttributeAsync("dir"), Is.EqualTo(rtl ? "rtl" : "ltr"));
            Assert.That(await Survey.GetAttributeAsync("lang"), Is.EqualTo(locale));
            Assert.That(await CloseButton.CountAsync(), Is.Zero, "a full page has nothing to close");
        }
        await AssertNoViolations("question");

        await ScoreBox(3).ClickAsync();
        await PrimaryButton.ClickAsync();
        await Comment.WaitForAsync();
        await AssertNoViolations("follow-up");

        await Comment.FillAsync(rtl ? "שלום" : "Too slow.");
        await PrimaryButton.ClickAsync();
        await Thanks.WaitForAsync();
        await AssertNoViolations("thanks");
        Assert.That(Current.Errors.Concat(Current.Console.Where(l => l.Contains("Content Security Policy", StringComparison.Ordinal))), Is.Empty,
            "no script error and no CSP violation");
    }

    [Test]
    public async Task KeyboardOnly_AnswersWithComment()
    {
        var userId = "u-page-keyboard";
        var url = await LinkFor(userId);
        await Page.GotoAsync(url);
        await Survey.WaitForAsync();

        await TabIntoSurvey();
        Assert.That(await FocusInSurvey(), Is.EqualTo("input:0"));
        for (var i = 0; i < 9; i++)
            await Page.Keyboard.PressAsync("ArrowRight");
        await Page.Keyboard.PressAsync("Enter");
        await Comment.WaitForAsync();
        Assert.That(await FocusInSurvey(), Is.EqualTo("textarea"), "focus follows to the follow-up question");
        await Page.Keyboard.TypeAsync("Great onboarding");
        await Page.Keyboard.PressAsync("Tab");
        // The thanks show at once; the comment is on disk when its post answers.
        var status = await StatusOfPostAfter(new Uri(url).AbsolutePath + "/responses", () => Page.Keyboard.PressAsync("Enter"));
        await Thanks.WaitForAsync();

        Assert.That(status, Is.EqualTo(200));
        var stored = ResponseOf(Workspace.WorkspaceId, userId);
        Assert.That((stored?.Score, stored?.Comment), Is.EqualTo(((long?)9, "Great onboarding")));
    }

    [Test]
    public async Task At320Pixels_TheWholeScaleFits_WithoutSidewaysScrolling()
    {
        var url = await LinkFor("u-page-320");
        await OpenAsync(new() { ViewportSize = new() { Width = 320, Height = 640 } });
        await Page.GotoAsync(url);
        await Survey.WaitForAsync();

        var scrollWidth = await Page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        var boxes = new List<LocatorBoundingBoxResult>();
        for (var i = 0; i <= 10; i++)
            boxes.Add((await ScoreBox(i).BoundingBoxAsync())!);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(scrollWidth, Is.LessThanOrEqualTo(320));
            Assert.That(boxes.All(b => b.X >= 0 && b.X + b.Width <= 320 && b.Width >= 24), Is.True, "every score is on screen and big enough to tap");
        }
    }

    [Test]
    public async Task GetWithAScore_PreSelectsIt_ButOnlyThePostRecordsIt()
    {
        var userId = "u-page-prefetch";
        var url = await LinkFor(userId) + "?score=7";
        // A mail scanner's prefetch: a plain GET, no script run.
        using (var scanner = new HttpClient())
            Assert.That((int)(await scanner.GetAsync(url)).StatusCode, Is.EqualTo(200));
        Assert.That(RowsOf(userId), Is.EqualTo((1L, 0L)), "the prefetch opened the link but answered nothing");

        await Page.GotoAsync(url);
        await Survey.WaitForAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Radio(7).IsCheckedAsync(), Is.True);
            Assert.That(RowsOf(userId), Is.EqualTo((1L, 0L)), "showing the page in a browser records no answer either");
        }

        var status = await StatusOfPostAfter(new Uri(url).AbsolutePath + "/responses", () => PrimaryButton.ClickAsync());
        Assert.That(status, Is.EqualTo(201));
        Assert.That(ResponseOf(Workspace.WorkspaceId, userId)?.Score, Is.EqualTo(7L));
    }

    [TestCase(ColorScheme.Light)]
    [TestCase(ColorScheme.Dark)]
    public async Task AnsweredLinksPage_InArabic_IsRightToLeft_AndAxeClean(ColorScheme scheme)
    {
        var url = await LinkFor($"u-page-polite-{scheme}", "ar");
        using (var client = new HttpClient())
        {
            Assert.That((int)(await client.GetAsync(url)).StatusCode, Is.EqualTo(200));
            Assert.That((int)(await client.PostAsync(url + "/responses", Json.Of(new { score = 9 }))).StatusCode, Is.EqualTo(201));
        }
        await OpenAsync(new() { ColorScheme = scheme, ViewportSize = new() { Width = 320, Height = 640 } });

        var response = await Page.GotoAsync(url);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response!.Status, Is.EqualTo(410));
            Assert.That(await Page.Locator("html").GetAttributeAsync("dir"), Is.EqualTo("rtl"));
            Assert.That(await Page.Locator("html").GetAttributeAsync("lang"), Is.EqualTo("ar"));
            Assert.That(await Page.Locator("h1").TextContentAsync(), Is.EqualTo("شكرًا لك، تم تسجيل إجابتك"));
            Assert.That(await Page.EvaluateAsync<int>("document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(320));
        }
        await AssertNoViolations("answered, ar");
        Assert.That(Current.Errors.Concat(Current.Console.Where(l => l.Contains("Content Security Policy", StringComparison.Ordinal))), Is.Empty);
    }

    [Test]
    public async Task DontAskMeAgain_OptsOut_AndThePageConfirmsIt_InTheLinksLanguage_AxeClean()
    {
        var userId = "u-page-opt-out";
        await Page.GotoAsync(await LinkFor(userId, "fr"));
        await Survey.WaitForAsync();
        var never = Page.Locator("pulse-survey button.o");
        var label = await never.TextContentAsync();

        var status = await StatusOfPostAfter(new Uri(Page.Url).AbsolutePath + "/opt-out", () => never.ClickAsync());
        await Page.Locator("h1:has-text('Nous ne vous le demanderons plus')").WaitForAsync();

        using var c = Api.Db.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(label, Is.EqualTo("Ne plus me demander"), "the page offers the opt-out, in French");
            Assert.That(status, Is.EqualTo(204));
            Assert.That(c.ExecuteScalar<long?>("SELECT opted_out_at FROM end_users WHERE user_id = @userId", new { userId }), Is.Not.Null);
            Assert.That(await Page.Locator("html").GetAttributeAsync("lang"), Is.EqualTo("fr"));
            Assert.That(RowsOf(userId).Responses, Is.Zero);
        }
        await AssertNoViolations("opted out, fr");
        Assert.That(Current.Errors.Concat(Current.Console.Where(l => l.Contains("Content Security Policy", StringComparison.Ordinal))), Is.Empty);
    }
}
