using Dapper;
using Pulse.Tests.Support;

namespace Pulse.Tests.Widget;

/// <summary>The widget in the catalogue's languages: right-to-left layout and the "Don't ask me again" link.</summary>
public sealed class WidgetLanguageTests : WidgetBrowserTest
{
    /// <summary>
    /// The scale is left-to-right in every language, so the end labels must be too: "not likely"
    /// under 0 (left), "extremely likely" under 10 (right), whatever the direction of the text.
    /// </summary>
    [TestCase("ar", "rtl")]
    [TestCase("he", "rtl")]
    [TestCase("fa", "rtl")]
    [TestCase("ur", "rtl")]
    [TestCase("en", "ltr")]
    public async Task EndLabels_SitUnderTheirEndsOfTheScale(string locale, string dir)
    {
        await Page.GotoAsync(HostPage($"labels-{locale}", $"u-labels-{locale}", new { locale }));
        await Survey.WaitForAsync();

        var zero = (await ScoreBox(0).BoundingBoxAsync())!;
        var ten = (await ScoreBox(10).BoundingBoxAsync())!;
        var low = (await Page.Locator("pulse-survey #lo").BoundingBoxAsync())!;
        var high = (await Page.Locator("pulse-survey #hi").BoundingBoxAsync())!;
        var catalogue = Pulse.Api.Localization.SurveyCatalog.Get(locale).Texts();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Survey.GetAttributeAsync("dir"), Is.EqualTo(dir));
            Assert.That(await Page.Locator("pulse-survey #lo").TextContentAsync(), Is.EqualTo(catalogue.Low));
            Assert.That(low.X, Is.EqualTo(zero.X).Within(1), "the 0-label starts at the left edge of 0");
            Assert.That(high.X + high.Width, Is.EqualTo(ten.X + ten.Width).Within(1), "the 10-label ends at the right edge of 10");
            Assert.That(low.X + low.Width, Is.LessThan(high.X), "the 0-label is left of the 10-label");
        }
    }

    [Test]
    public async Task DontAskMeAgain_OptsTheUserOut_AndRemovesTheSurvey()
    {
        await Page.GotoAsync(HostPage("opt-out", "u-opt-out", new { locale = "de" }));
        await Survey.WaitForAsync();
        var link = Page.Locator("pulse-survey button.o");
        Assert.That(await link.TextContentAsync(), Is.EqualTo("Nicht mehr fragen"));

        var status = await StatusOfPostAfter("/v1/opt-outs", () => link.ClickAsync());
        await Survey.WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Detached });

        using var c = Api.Db.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(204));
            Assert.That(c.ExecuteScalar<long?>("SELECT opted_out_at FROM end_users WHERE workspace_id = @W AND user_id = 'u-opt-out'",
                new { W = Workspace.WorkspaceId }), Is.Not.Null);
            Assert.That(c.ExecuteScalar<long?>("SELECT declined_at FROM displays WHERE workspace_id = @W AND user_id = 'u-opt-out'",
                new { W = Workspace.WorkspaceId }), Is.Null, "an opt-out is not a decline");
        }
    }
}
