using Dapper;
using Microsoft.Playwright;
using Pulse.Tests.Support;

namespace Pulse.Tests.Widget;

/// <summary>The reasons step of the widget: loaded only when asked, keyboard-only, axe clean in every mode (issue 17).</summary>
public sealed class WidgetReasonsTests : WidgetBrowserTest
{
    [OneTimeSetUp]
    public async Task AskReasonsOfDetractors()
    {
        using var server = Api.SecretClient(Workspace.SecretKey);
        var surveyId = Eligibility.EligibilityCalls.DefaultSurveyId(Api.Db, Workspace.WorkspaceId);
        var put = await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body("""
            { "reasons": { "multiple": true, "other": true, "byCategory": { "detractor": [
                { "id": "price", "label": "Too expensive", "labels": { "ar": "باهظ الثمن" } },
                { "id": "slow", "label": "Slow" },
                { "id": "missing", "label": "Missing features" } ] } } }
            """));
        Assert.That((int)put.StatusCode, Is.EqualTo(200), await put.Content.ReadAsStringAsync());
    }

    ILocator Reason(string id) => Page.Locator($"pulse-survey input[name=reason][value=\"{id}\"]");

    List<(string Id, string? Other)> ReasonsOf(string userId)
    {
        using var c = Api.Db.Open();
        return c.Query<(string, string?)>("""
            SELECT rr.reason_id, rr.other_text FROM response_reasons rr JOIN responses r ON r.id = rr.response_id
            WHERE r.workspace_id = @W AND r.user_id = @U ORDER BY rr.reason_id
            """, new { W = Workspace.WorkspaceId, U = userId }).ToList();
    }

    [Test]
    public async Task KeyboardOnly_ReasonsAndOther_AreSavedWithTheScore_ThenTheFollowUpAsks()
    {
        await Page.GotoAsync(HostPage("reasons-keys", "u-reasons-keys"));
        await Survey.WaitForAsync();

        await TabIntoSurvey();
        for (var i = 0; i < 3; i++)
            await Page.Keyboard.PressAsync("ArrowRight");
        await Page.Keyboard.PressAsync("Enter");
        await Reason("price").WaitForAsync();
        Assert.That(await FocusInSurvey(), Is.EqualTo("input:price"), "focus follows the keyboard user into the reasons");
        await Page.Keyboard.PressAsync("Space");
        await Page.Keyboard.PressAsync("Tab");
        await Page.Keyboard.PressAsync("Tab");
        await Page.Keyboard.PressAsync("Tab");
        Assert.That(await FocusInSurvey(), Is.EqualTo("input:other"));
        await Page.Keyboard.PressAsync("Space");
        await Page.Keyboard.PressAsync("Tab");
        await Page.Keyboard.TypeAsync("No export");
        var status = await StatusOfPostAfter("/v1/responses", () => Page.Keyboard.PressAsync("Enter"));
        await Comment.WaitForAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(200), "the reasons update the answer the score created");
            Assert.That(ReasonsOf("u-reasons-keys"), Is.EqualTo(new[] { ("other", (string?)"No export"), ("price", null) }));
            Assert.That(ResponseOf(Workspace.WorkspaceId, "u-reasons-keys")!.Score, Is.EqualTo(3));
        }
    }

    [Test]
    public async Task Promoter_WithoutAList_NeverLoadsTheChunk()
    {
        var chunks = new List<string>();
        Page.Request += (_, r) =>
        {
            if (r.Url.Contains("/widget/v1/reasons.js", StringComparison.Ordinal))
                chunks.Add(r.Url);
        };
        await Page.GotoAsync(HostPage("reasons-promoter", "u-reasons-promoter"));
        await Survey.WaitForAsync();

        await ScoreBox(10).ClickAsync();
        await PrimaryButton.ClickAsync();
        await Comment.WaitForAsync();

        Assert.That(chunks, Is.Empty);
    }

    [TestCase(ColorScheme.Light, "en", 1024)]
    [TestCase(ColorScheme.Dark, "ar", 320)]
    public async Task ReasonsStep_HasNoAxeViolations_AndFits(ColorScheme scheme, string locale, int width)
    {
        await OpenAsync(new() { ColorScheme = scheme, ViewportSize = new() { Width = width, Height = 640 } });
        await Page.GotoAsync(HostPage($"reasons-a11y-{locale}", $"u-reasons-a11y-{locale}", new { locale }));
        await Survey.WaitForAsync();

        await ScoreBox(2).ClickAsync();
        await PrimaryButton.ClickAsync();
        await Reason("other").CheckAsync();
        await Page.Locator("pulse-survey input.ro").WaitForAsync();
        var violations = await Axe.ViolationsAsync(Page);
        var box = (await Survey.BoundingBoxAsync())!;
        var legend = await Page.Locator("pulse-survey fieldset.r legend").TextContentAsync();
        var price = await Page.Locator("pulse-survey fieldset.r label").First.TextContentAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(violations, Is.Empty);
            Assert.That(box.X, Is.GreaterThanOrEqualTo(0));
            Assert.That(box.X + box.Width, Is.LessThanOrEqualTo(width), "inside the viewport");
            Assert.That(await Survey.GetAttributeAsync("dir"), Is.EqualTo(locale == "ar" ? "rtl" : "ltr"));
            Assert.That(legend, Is.EqualTo(Pulse.Api.Localization.SurveyCatalog.Get(locale).Strings["reasons.question"]));
            Assert.That(price, Is.EqualTo(locale == "ar" ? "باهظ الثمن" : "Too expensive"));
        }
    }
}
