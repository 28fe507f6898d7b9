namespace Pulse.Tests.Widget;

/// <summary>The widget and the host page cannot restyle or break each other.</summary>
public sealed class WidgetIsolationTests : WidgetBrowserTest
{
    const string HostileCss = """
        <style>
          * { all: unset }
          button { display: none !important }
          div, section, form, fieldset, label, input, span, p, textarea { color: red !important; font-size: 40px !important; visibility: hidden }
          pulse-survey { display: none; position: static; opacity: 0 }
        </style>
        """;

    [Test]
    public async Task AggressiveHostCss_StillGivesAUsableSurvey()
    {
        await Page.GotoAsync(HostPage("hostile", "u-hostile", head: HostileCss));
        await Survey.WaitForAsync();

        var legendFontSize = await Page.Locator("pulse-survey legend").EvaluateAsync<string>("e => getComputedStyle(e).fontSize");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Survey.IsVisibleAsync(), Is.True);
            Assert.That(await PrimaryButton.IsVisibleAsync(), Is.True);
            Assert.That(await CloseButton.IsVisibleAsync(), Is.True);
            Assert.That(legendFontSize, Is.EqualTo("15px"));
        }

        await ScoreBox(7).ClickAsync();
        var status = await StatusOfPostAfter("/v1/responses", () => PrimaryButton.ClickAsync());
        await Comment.WaitForAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(201));
            Assert.That(await Comment.IsVisibleAsync(), Is.True);
            Assert.That(ResponseOf(Workspace.WorkspaceId, "u-hostile")?.Score, Is.EqualTo(7));
        }
    }

    [Test]
    public async Task HostElements_KeepTheirComputedStyles_WhenTheSurveyAppears()
    {
        // The snippet's stub is on the page; init runs only after the "before" snapshot is taken.
        var page = Site.Page("/host-styles.html", HostPages.Html("""
            <style>
              body { font-family: Georgia, serif; color: rgb(20, 40, 60); background: rgb(250, 245, 240) }
              h1 { font-size: 30px; letter-spacing: 1px } p { line-height: 1.8 } button { padding: 9px; border-radius: 3px }
            </style>
            <script>window.pulse=window.pulse||function(){(pulse.q=pulse.q||[]).push(arguments)};</script>
            """ + $"<script src=\"{ScriptUrl}\" async></script>"));
        const string Snapshot = """
            [...document.querySelectorAll('body, #top, #title, #content, #text, #host-button')].map(e => {
              const s = getComputedStyle(e);
              return [e.localName, s.fontFamily, s.fontSize, s.color, s.backgroundColor, s.lineHeight, s.padding,
                      s.margin, s.display, s.position, s.letterSpacing, s.borderRadius, s.direction, s.visibility].join('|');
            })
            """;
        await Page.GotoAsync(page);
        await Page.WaitForFunctionAsync("window.pulse && window.pulse.ready");
        var before = await Page.EvaluateAsync<string[]>(Snapshot);
        var rectsBefore = await Page.EvaluateAsync<string>("JSON.stringify(document.getElementById('content').getBoundingClientRect())");

        await Page.EvaluateAsync("init => pulse('init', init)", (new
        {
            siteKey = Workspace.SiteKey,
            user = HostPages.User("u-host-styles", Api.Time.GetUtcNow()),
        }));
        await Survey.WaitForAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.EvaluateAsync<string[]>(Snapshot), Is.EqualTo(before));
            Assert.That(await Page.EvaluateAsync<string>("JSON.stringify(document.getElementById('content').getBoundingClientRect())"), Is.EqualTo(rectsBefore));
            Assert.That(await Page.EvaluateAsync<int>("document.styleSheets.length"), Is.EqualTo(1), "no stylesheet added to the host document");
            Assert.That(await Page.EvaluateAsync<int>("document.adoptedStyleSheets.length"), Is.Zero);
        }
    }

    [Test]
    public async Task StrictCsp_ShowsTheSurvey_WithoutAViolation()
    {
        // First-party setup: the vendor's origin forwards /widget/ and /v1/ to Pulse, so Pulse is 'self'.
        Site.Forward("/widget/", Api.Address!);
        Site.Forward("/v1/", Api.Address!);
        Site.Script("/app.js", HostPages.Snippet("/widget/v1/pulse.js", new
        {
            siteKey = Workspace.SiteKey,
            user = HostPages.User("u-csp", Api.Time.GetUtcNow()),
        }));
        var url = Site.Page("/csp.html", HostPages.Html("<script src=\"/app.js\"></script>"),
            new Dictionary<string, string> { ["Content-Security-Policy"] = "default-src 'self'; script-src 'self'; style-src 'self'" });

        await Page.GotoAsync(url);
        await Survey.WaitForAsync();
        await ScoreBox(10).ClickAsync();
        await StatusOfPostAfter("/v1/responses", () => PrimaryButton.ClickAsync());
        await Comment.FillAsync("Works under our CSP.");
        await StatusOfPostAfter("/v1/responses", () => PrimaryButton.ClickAsync());
        await Thanks.WaitForAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.EvaluateAsync<string[]>("hostProbe.violations"), Is.Empty);
            Assert.That(Current.Console.Where(l => l.Contains("Content Security Policy", StringComparison.Ordinal)), Is.Empty);
            Assert.That(await Survey.EvaluateAsync<string>("e => getComputedStyle(e).position"), Is.EqualTo("fixed"), "the styles applied");
            Assert.That(ResponseOf(Workspace.WorkspaceId, "u-csp"), Is.EqualTo(new StoredResponse(10, "promoter", "Works under our CSP.")));
        }
    }

    [Test]
    public async Task SnippetPastedTwice_ShowsOneSurvey_AfterOneQuestion()
    {
        var init = new { siteKey = Workspace.SiteKey, user = HostPages.User("u-twice", Api.Time.GetUtcNow()) };
        var snippet = "<script>" + HostPages.Snippet(ScriptUrl, init) + "</script>";
        var url = Site.Page("/twice.html", HostPages.Html(snippet + snippet + $"<script src=\"{ScriptUrl}\"></script>"));
        var asked = 0;
        Page.Request += (_, request) => asked += request.Method == "POST" && request.Url.EndsWith("/v1/eligibility", StringComparison.Ordinal) ? 1 : 0;

        // The load event waits for every copy of the script, async ones included.
        await Page.GotoAsync(url, new() { WaitUntil = Microsoft.Playwright.WaitUntilState.Load });
        await Survey.WaitForAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.Locator("pulse-survey").CountAsync(), Is.EqualTo(1));
            Assert.That(await Page.EvaluateAsync<int>("document.querySelectorAll('script[src$=\"pulse.js\"]').length"), Is.EqualTo(3));
            Assert.That(asked, Is.EqualTo(1));
            Assert.That(await Page.EvaluateAsync<string[]>("hostProbe.errors"), Is.Empty);
        }
    }

    [Test]
    public async Task Reset_RemovesTheSurvey_AndTheNextUserGetsTheirOwn()
    {
        await Page.GotoAsync(HostPage("reset", "u-reset-1"));
        await Survey.WaitForAsync();
        var events = await Page.EvaluateAsync<int>("window.seen = []; pulse('on', 'shown', d => seen.push(d)); 0");

        await Page.EvaluateAsync("pulse('reset')");
        Assert.That(await Page.Locator("pulse-survey").CountAsync(), Is.Zero);

        var answer = await EligibilityAfter(() => Page.EvaluateAsync("init => pulse('init', init)", (new
        {
            siteKey = Workspace.SiteKey,
            user = HostPages.User("u-reset-2", Api.Time.GetUtcNow()),
        })));
        await Survey.WaitForAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(events, Is.Zero);
            Assert.That(answer.GetProperty("eligible").GetBoolean(), Is.True);
            Assert.That(await Page.EvaluateAsync<int>("seen.length"), Is.EqualTo(1));
            Assert.That(DisplaysOf(Workspace.WorkspaceId, "u-reset-1"), Is.EqualTo((0L, 1L)), "reset is not a decline");
            Assert.That(await Page.EvaluateAsync<string>("document.cookie"), Is.Empty);
            Assert.That(await Page.EvaluateAsync<int>("localStorage.length + sessionStorage.length"), Is.Zero);
        }
    }

    [Test]
    public async Task AppearingSurvey_LeavesFocusWhereItWas()
    {
        var page = Site.Page("/focus.html", HostPages.Html(
            "<script>window.pulse=window.pulse||function(){(pulse.q=pulse.q||[]).push(arguments)};</script>" +
            $"<script src=\"{ScriptUrl}\" async></script>"));
        await Page.GotoAsync(page);
        await Page.Locator("#host-button").FocusAsync();

        await Page.EvaluateAsync("init => pulse('init', init)", (new
        {
            siteKey = Workspace.SiteKey,
            user = HostPages.User("u-focus", Api.Time.GetUtcNow()),
        }));
        await Survey.WaitForAsync();

        Assert.That(await Page.EvaluateAsync<string>("document.activeElement.id"), Is.EqualTo("host-button"));
        await Page.Keyboard.PressAsync("Tab");
        await Page.Keyboard.PressAsync("Escape");
        Assert.That(await Page.EvaluateAsync<string>("document.activeElement.id"), Is.EqualTo("host-button"), "closing hands focus back");
    }
}
