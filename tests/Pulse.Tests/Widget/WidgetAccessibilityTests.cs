using Microsoft.Playwright;
using Pulse.Tests.Support;

namespace Pulse.Tests.Widget;

/// <summary>axe-core on every state of the survey, light and dark, left-to-right and right-to-left.</summary>
public sealed class WidgetAccessibilityTests : WidgetBrowserTest
{
    async Task AssertNoViolations(string state)
    {
        Assert.That(await Axe.ViolationsAsync(Page), Is.Empty, state);
    }

    [TestCase(ColorScheme.Light, "en")]
    [TestCase(ColorScheme.Dark, "en")]
    [TestCase(ColorScheme.Light, "ar")]
    [TestCase(ColorScheme.Dark, "he")]
    public async Task EveryState_HasNoAxeViolations(ColorScheme scheme, string locale)
    {
        await OpenAsync(new() { ColorScheme = scheme, ViewportSize = new() { Width = 1024, Height = 768 } });
        await Page.GotoAsync(HostPage($"a11y-{scheme}-{locale}", $"u-a11y-{scheme}-{locale}", new { locale }));
        await Survey.WaitForAsync();
        var rtl = locale is "ar" or "he";

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Survey.GetAttributeAsync("lang"), Is.EqualTo(locale));
            Assert.That(await Survey.GetAttributeAsync("dir"), Is.EqualTo(rtl ? "rtl" : "ltr"));
        }
        await AssertNoViolations("question");

        await ScoreBox(8).ClickAsync();
        await PrimaryButton.ClickAsync();
        await Comment.WaitForAsync();
        await AssertNoViolations("follow-up");

        await Comment.FillAsync(rtl ? "שלום" : "Fine.");
        await PrimaryButton.ClickAsync();
        await Thanks.WaitForAsync();
        await AssertNoViolations("thanks");
    }

    [Test]
    public async Task RightToLeft_KeepsTheScaleLeftToRight()
    {
        await Page.GotoAsync(HostPage("rtl-scale", "u-rtl-scale", new { locale = "ar-EG" }));
        await Survey.WaitForAsync();

        var (zero, ten) = (await ScoreBox(0).BoundingBoxAsync(), await ScoreBox(10).BoundingBoxAsync());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Survey.GetAttributeAsync("dir"), Is.EqualTo("rtl"));
            Assert.That(await Page.Locator("pulse-survey .s").EvaluateAsync<string>("e => getComputedStyle(e).direction"), Is.EqualTo("ltr"));
            Assert.That(zero!.X, Is.LessThan(ten!.X), "0 on the left, 10 on the right");
        }
        await TabIntoSurvey();
        await Page.Keyboard.PressAsync("ArrowRight");
        Assert.That(await Radio(1).IsCheckedAsync(), Is.True, "the right arrow moves up the scale");
    }

    [Test]
    public async Task LowAndHighLabels_DescribeZeroAndTen()
    {
        await Page.GotoAsync(HostPage("labels", "u-labels"));
        await Survey.WaitForAsync();

        var zero = await Page.Locator("pulse-survey input[value=\"0\"]").EvaluateAsync<string>(
            "e => e.getRootNode().getElementById(e.getAttribute('aria-describedby')).textContent");
        var ten = await Page.Locator("pulse-survey input[value=\"10\"]").EvaluateAsync<string>(
            "e => e.getRootNode().getElementById(e.getAttribute('aria-describedby')).textContent");
        var snapshot = await Page.Locator("pulse-survey fieldset").AriaSnapshotAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(zero, Is.Not.Empty);
            Assert.That(ten, Is.Not.Empty.And.Not.EqualTo(zero));
            Assert.That(await Page.Locator("pulse-survey input[value=\"5\"]").GetAttributeAsync("aria-describedby"), Is.Null);
            Assert.That(await Page.Locator("pulse-survey legend").TextContentAsync(), Is.Not.Empty);
            Assert.That(snapshot, Does.Contain("radio \"0\"").And.Contain("radio \"10\""));
            Assert.That(await Page.Locator("pulse-survey input[type=radio]").CountAsync(), Is.EqualTo(11));
        }
    }

    [Test]
    public async Task ReducedMotion_TurnsTheAnimationOff()
    {
        await OpenAsync(new() { ReducedMotion = ReducedMotion.Reduce });
        await Page.GotoAsync(HostPage("reduced-motion", "u-reduced-motion"));
        await Survey.WaitForAsync();
        Assert.That(await Survey.EvaluateAsync<string>("e => getComputedStyle(e).animationName"), Is.EqualTo("none"));

        await OpenAsync(new() { ReducedMotion = ReducedMotion.NoPreference });
        await Page.GotoAsync(HostPage("motion", "u-motion"));
        await Survey.WaitForAsync();
        Assert.That(await Survey.EvaluateAsync<string>("e => getComputedStyle(e).animationName"), Is.Not.EqualTo("none"));
    }

    [Test]
    public async Task DarkScheme_ChangesTheColours()
    {
        await OpenAsync(new() { ColorScheme = ColorScheme.Dark });
        await Page.GotoAsync(HostPage("dark", "u-dark"));
        await Survey.WaitForAsync();
        var dark = await Survey.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");

        await OpenAsync(new() { ColorScheme = ColorScheme.Light });
        await Page.GotoAsync(HostPage("light", "u-light"));
        await Survey.WaitForAsync();
        var light = await Survey.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(light, Is.EqualTo("rgb(255, 255, 255)"));
            Assert.That(dark, Is.Not.EqualTo(light));
        }
    }

    /// <summary>A workspace of its own whose survey has this theme, and a host page for one of its users.</summary>
    async Task<string> PageWithTheme(string color, string position)
    {
        var workspace = Api.CreateWorkspace("Themed", [Site.Origin], requireUserHash: false);
        using var http = Api.SecretClient(workspace.SecretKey);
        var surveys = await (await http.GetAsync("/v1/surveys")).ReadJson<System.Text.Json.JsonElement>();
        var id = surveys.GetProperty("items")[0].GetProperty("id").GetString();
        var updated = await http.PutAsync($"/v1/surveys/{id}", Json.Of(new { theme = new { color, position } }));
        Assert.That((int)updated.StatusCode, Is.EqualTo(200), await updated.Content.ReadAsStringAsync());
        return HostPage($"theme-{position}-{color[1..]}", "u-theme", new { siteKey = workspace.SiteKey });
    }

    [Test]
    public async Task LightThemeColour_GetsDarkText()
    {
        await Page.GotoAsync(await PageWithTheme("#fde047", "bottom-right"));
        await Survey.WaitForAsync();
        await ScoreBox(6).ClickAsync();

        var selected = await Page.Locator("pulse-survey .s input:checked + span").EvaluateAsync<string[]>(
            "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(selected[0], Is.EqualTo("rgb(253, 224, 71)"));
            Assert.That(selected[1], Is.EqualTo("rgb(17, 24, 39)"), "dark text on a light accent");
        }
        await AssertNoViolations("light accent");
    }

    [TestCase("bottom-right", 1024, 768)]
    [TestCase("bottom-left", 1024, 768)]
    [TestCase("top-right", 1024, 768)]
    [TestCase("top-left", 1024, 768)]
    [TestCase("center", 1024, 768)]
    [TestCase("center", 320, 568)]
    public async Task Position_ComesFromTheSurvey_AndStaysOnScreen(string position, int width, int height)
    {
        await OpenAsync(new() { ViewportSize = new() { Width = width, Height = height }, ReducedMotion = ReducedMotion.Reduce });
        await Page.GotoAsync(await PageWithTheme("#0f766e", position));
        await Survey.WaitForAsync();

        var box = (await Survey.BoundingBoxAsync())!;
        var (left, top, right, bottom) = (box.X, box.Y, width - box.X - box.Width, height - box.Y - box.Height);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new[] { left, top, right, bottom }, Has.All.GreaterThanOrEqualTo(0), "inside the viewport");
            switch (position)
            {
                case "center":
                    Assert.That(left, Is.EqualTo(right).Within(1));
                    Assert.That(top, Is.EqualTo(bottom).Within(1));
                    break;
                default:
                    Assert.That(position.StartsWith("top", StringComparison.Ordinal) ? top : bottom, Is.EqualTo(16).Within(1));
                    Assert.That(position.EndsWith("left", StringComparison.Ordinal) ? left : right, Is.EqualTo(16).Within(1));
                    break;
            }
        }
    }
}
