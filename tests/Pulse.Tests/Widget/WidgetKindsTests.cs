using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Pulse.Api.Localization;
using Pulse.Api.Surveys;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Widget;

/// <summary>
/// Every question kind in the widget: its own scale (nps/enps 0–10, csat 1–5, ces 1–7), its labels
/// and texts, the follow-up of the answer's category, keyboard-only completion, axe in light/dark
/// and right-to-left, and 320 px. Each kind has its own workspace whose one active survey asks it.
/// </summary>
public sealed class WidgetKindsTests : WidgetBrowserTest
{
    readonly Dictionary<string, CreatedWorkspace> _workspaces = [];

    /// <summary>A workspace whose only active survey is of <paramref name="kind"/> (its first NPS survey switched off).</summary>
    async Task<CreatedWorkspace> WorkspaceAsking(string kind)
    {
        if (_workspaces.TryGetValue(kind, out var known))
            return known;
        var ws = Api.CreateWorkspace($"Kinds {kind}", [Site.Origin], requireUserHash: false);
        using var http = Api.SecretClient(ws.SecretKey);
        var first = (await http.GetFromJsonAsync<JsonElement>("/v1/surveys")).GetProperty("items")[0].GetProperty("id").GetString();
        (await http.PutAsJsonAsync($"/v1/surveys/{first}", new { active = false })).EnsureSuccessStatusCode();
        (await http.PostAsJsonAsync("/v1/surveys", new { name = $"Our {kind}", kind })).EnsureSuccessStatusCode();
        return _workspaces[kind] = ws;
    }

    async Task OpenSurvey(string kind, string user, string locale = "en")
    {
        var ws = await WorkspaceAsking(kind);
        await Page.GotoAsync(HostPage($"kind-{user}", user, new { siteKey = ws.SiteKey, locale }));
        await Survey.WaitForAsync();
    }

    ILocator RadioOf(int score) => Page.Locator($"pulse-survey input[type=radio][value=\"{score}\"]");

    static QuestionKind Kind(string name) => QuestionKinds.Find(name)!;

    [TestCase("csat")]
    [TestCase("ces")]
    [TestCase("enps")]
    [TestCase("nps")]
    public async Task EveryKind_ShowsItsScaleAndTexts_AndIsAnsweredWithTheKeyboardAlone(string name)
    {
        var kind = Kind(name);
        var user = $"kb-{name}";
        var texts = SurveyCatalog.Get("en").Texts(name);
        await OpenSurvey(name, user);

        var values = await Page.Locator("pulse-survey input[type=radio]").EvaluateAllAsync<int[]>("es => es.map(e => +e.value)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(values, Is.EqualTo(Enumerable.Range(kind.Min, kind.Max - kind.Min + 1)), "one native radio per score of the kind's scale");
            Assert.That(await Page.Locator("pulse-survey legend").TextContentAsync(), Is.EqualTo(texts.Question.Replace("{product}", $"Kinds {name}", StringComparison.Ordinal)));
            Assert.That(await Page.Locator("pulse-survey #lo").TextContentAsync(), Is.EqualTo(texts.Low));
            Assert.That(await Page.Locator("pulse-survey #hi").TextContentAsync(), Is.EqualTo(texts.High));
            Assert.That(await RadioOf(kind.Min).GetAttributeAsync("aria-describedby"), Is.EqualTo("lo"));
            Assert.That(await RadioOf(kind.Max).GetAttributeAsync("aria-describedby"), Is.EqualTo("hi"));
        }

        // The top of the negative category: the follow-up asks what went wrong in this kind's words.
        var score = kind.Categories[0].To;
        await TabIntoSurvey();
        Assert.That(await FocusInSurvey(), Is.EqualTo($"input:{kind.Min}"));
        for (var i = kind.Min; i < score; i++)
            await Page.Keyboard.PressAsync("ArrowRight");
        var scoreStatus = await StatusOfPostAfter("/v1/responses", () => Page.Keyboard.PressAsync("Enter"));
        await Comment.WaitForAsync();
        var prompt = await Page.Locator("pulse-survey label.f").TextContentAsync();
        await Page.Keyboard.TypeAsync("Too many steps.");
        await Page.Keyboard.PressAsync("Tab");
        var commentStatus = await StatusOfPostAfter("/v1/responses", () => Page.Keyboard.PressAsync("Enter"));
        await Thanks.WaitForAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That((scoreStatus, commentStatus), Is.EqualTo((201, 200)));
            Assert.That(prompt, Is.EqualTo(texts.FollowUp.Of(kind.Negative)!.Replace("{product}", $"Kinds {name}", StringComparison.Ordinal)));
            Assert.That(ResponseOf(_workspaces[name].WorkspaceId, user), Is.EqualTo(new StoredResponse(score, kind.Negative, "Too many steps.")));
        }
    }

    [TestCase("csat", ColorScheme.Dark, "ar")]
    [TestCase("ces", ColorScheme.Light, "he")]
    [TestCase("enps", ColorScheme.Dark, "fa")]
    [TestCase("csat", ColorScheme.Light, "en")]
    [TestCase("ces", ColorScheme.Dark, "ur")]
    public async Task EveryKind_HasNoAxeViolations_AndKeepsItsScaleLeftToRight(string name, ColorScheme scheme, string locale)
    {
        var kind = Kind(name);
        await OpenAsync(new() { ColorScheme = scheme, ViewportSize = new() { Width = 1024, Height = 768 } });
        await OpenSurvey(name, $"a11y-{name}-{locale}-{scheme}", locale);

        var (low, high) = (await RadioOf(kind.Min).Locator("..").BoundingBoxAsync(), await RadioOf(kind.Max).Locator("..").BoundingBoxAsync());
        var (lowLabel, highLabel) = (await Page.Locator("pulse-survey #lo").BoundingBoxAsync(), await Page.Locator("pulse-survey #hi").BoundingBoxAsync());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Survey.GetAttributeAsync("lang"), Is.EqualTo(locale));
            Assert.That(low!.X, Is.LessThan(high!.X), $"{kind.Min} on the left, {kind.Max} on the right");
            Assert.That(lowLabel!.X, Is.LessThan(highLabel!.X), "the low label under the low end, whatever the text direction");
        }
        Assert.That(await Axe.ViolationsAsync(Page), Is.Empty, "question");

        await RadioOf(kind.Max).Locator("..").ClickAsync();
        await PrimaryButton.ClickAsync();
        await Comment.WaitForAsync();
        Assert.That(await Axe.ViolationsAsync(Page), Is.Empty, "follow-up");
    }

    [TestCase("csat")]
    [TestCase("ces")]
    [TestCase("enps")]
    public async Task EveryKind_FitsIn320Pixels(string name)
    {
        var kind = Kind(name);
        await OpenAsync(new() { ViewportSize = new() { Width = 320, Height = 640 } });
        await OpenSurvey(name, $"narrow-{name}");

        var layout = await Page.EvaluateAsync<double[]>("""
            (() => {
              const root = document.querySelector('pulse-survey').shadowRoot;
              const panel = root.querySelector('section').getBoundingClientRect();
              const labels = root.querySelectorAll('.s label');
              const last = labels[labels.length - 1].getBoundingClientRect();
              return [document.documentElement.scrollWidth, panel.left, panel.right,
                      labels[0].getBoundingClientRect().top, last.top, labels[0].getBoundingClientRect().width];
            })()
            """);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(layout[0], Is.LessThanOrEqualTo(320), "no horizontal scrolling");
            Assert.That(layout[1], Is.GreaterThanOrEqualTo(0));
            Assert.That(layout[2], Is.LessThanOrEqualTo(320));
            if (kind.Max - kind.Min < 10)
                Assert.That(layout[4], Is.EqualTo(layout[3]), "a short scale stays on one row");
            Assert.That(layout[5], Is.GreaterThanOrEqualTo(24), "targets stay at least 24 px wide");
        }
    }
}
