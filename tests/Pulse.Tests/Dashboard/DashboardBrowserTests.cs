using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Pulse.Api.Dashboard;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Dashboard;

/// <summary>
/// The dashboard in Chromium against the real API on a loopback port, on a seeded demo workspace:
/// every view renders, its numbers equal the analytics API's for the same filters, filters change
/// the charts, the CSV downloads, data never becomes markup, and neither axe nor the CSP object.
/// </summary>
public sealed class DashboardBrowserTests : BrowserTest
{
    const string Xss = "<img src=x onerror=alert(1)>";
    static readonly string[] Views = ["overview", "segments", "accounts", "comments", "setup"];
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    PulseFactory _app = null!;
    HttpClient _api = null!;
    string _screens = null!;

    [OneTimeSetUp]
    public async Task StartApi()
    {
        _app = new PulseFactory(environment: "Development"); // the demo workspace exists only there
        _app.StartKestrel();
        await _app.Services.GetRequiredService<DemoSeeder>().SeedAsync(new SeedOptions(Responses: 5000));
        _api = _app.SecretClient(DemoWorkspace.SecretKey);
        await AnswerThroughTheApi("xss-user", 3, "Export is broken " + Xss);
        _screens = Path.Combine(TestContext.CurrentContext.WorkDirectory, "dashboard-screenshots");
        Directory.CreateDirectory(_screens);
    }

    [OneTimeTearDown]
    public void StopApi()
    {
        _api?.Dispose();
        _app?.Dispose();
    }

    /// <summary>A real answer through the public endpoints: a forced eligibility call (secret key), then the response.</summary>
    async Task AnswerThroughTheApi(string userId, int score, string comment)
    {
        var eligibility = await _api.PostAsJsonAsync("/v1/eligibility", new
        {
            user = new { id = userId, createdAt = "2020-01-01T00:00:00Z", traits = new { plan = "enterprise", accountId = "evil", accountName = "Evil <b>Corp</b>", arr = 500 } },
            force = true,
        });
        var token = (await eligibility.ReadJson<JsonElement>()).GetProperty("displayToken").GetString();
        var saved = await _api.PostAsJsonAsync("/v1/responses", new { displayToken = token, score, comment });
        Assert.That((int)saved.StatusCode, Is.EqualTo(201), await saved.Content.ReadAsStringAsync());
    }

    // ---- helpers -----------------------------------------------------------------------------

    /// <summary>The view's render counter: it changes each time a render completes.</summary>
    async Task<string> Rendered() => await Page.Locator("#view").GetAttributeAsync("data-ready") ?? "";

    async Task WaitForRender(string view, string before) =>
        await Page.WaitForFunctionAsync(
            "([view, before]) => { const v = document.getElementById('view'); return v.dataset.view === view && !v.hasAttribute('aria-busy') && !!v.dataset.ready && v.dataset.ready !== before; }",
            new object[] { view, before });

    /// <summary>Opens the dashboard at the API's fake "now", collects CSP violations and dialogs, signs in with the demo key.</summary>
    async Task<List<string>> SignIn(string view = "overview", IPage? page = null)
    {
        page ??= Page;
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => { dialogs.Add(dialog.Message); _ = dialog.DismissAsync(); };
        await page.Clock.SetFixedTimeAsync(_app.Time.GetUtcNow().UtcDateTime);
        await page.AddInitScriptAsync("window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));");
        await page.GotoAsync(new Uri(_app.Address!, "/dashboard#/" + view).ToString());
        await page.FillAsync("#secret-key", DemoWorkspace.SecretKey);
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForFunctionAsync(
            "view => { const v = document.getElementById('view'); return v.dataset.view === view && !v.hasAttribute('aria-busy') && !!v.dataset.ready; }",
            view.Split('?')[0]);
        return dialogs;
    }

    async Task Go(string hash)
    {
        if (await Page.EvaluateAsync<string>("location.hash") == hash)
            return;
        var before = await Rendered();
        await Page.EvaluateAsync("h => { location.hash = h; }", hash);
        await WaitForRender(hash.TrimStart('#', '/').Split('?')[0], before);
    }

    async Task<string> Range() =>
        $"from={await Page.InputValueAsync("#filter-from")}&to={await Page.InputValueAsync("#filter-to")}";

    async Task<JsonElement> Get(string pathAndQuery) => await (await _api.GetAsync(pathAndQuery)).ReadJson<JsonElement>();

    /// <summary>A screenshot in the test results folder (the README's pictures come from here).</summary>
    async Task Shot(string name, bool fullPage = true)
    {
        await Page.EvaluateAsync("window.scrollTo(0, 0)");
        await Page.ScreenshotAsync(new() { Path = Path.Combine(_screens, name + ".png"), FullPage = fullPage });
    }

    /// <summary>NPS as the dashboard writes it: one decimal, a real minus sign.</summary>
    static string Nps(JsonElement value) => value.ValueKind == JsonValueKind.Null
        ? "—" : value.GetDouble().ToString("0.0", Inv).Replace('-', '−');

    async Task<string?> KpiValue(string kpi) => await Page.GetAttributeAsync($"[data-kpi={kpi}] .kpi-value", "data-value");

    // ---- tests -----------------------------------------------------------------------------

    [Test]
    public async Task Overview_HeadlineAndCharts_EqualTheAnalyticsApi()
    {
        await SignIn();
        var range = await Range();
        var api = await Get($"/v1/metrics/nps?{range}&interval=month");
        var scores = await Get($"/v1/metrics/scores?{range}");
        var points = api.GetProperty("series").EnumerateArray().Count(p => p.GetProperty("nps").ValueKind != JsonValueKind.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await KpiValue("nps"), Is.EqualTo(api.GetProperty("nps").GetDouble().ToString(Inv)));
            Assert.That(await Page.TextContentAsync("[data-kpi=nps] .kpi-value"), Is.EqualTo(Nps(api.GetProperty("nps"))));
            Assert.That(await Page.TextContentAsync("[data-kpi=nps] .kpi-note"), Does.Contain("±" + api.GetProperty("marginOfError").GetDouble().ToString("0.0", Inv)));
            Assert.That(await KpiValue("responses"), Is.EqualTo(api.GetProperty("responses").GetInt64().ToString(Inv)));
            Assert.That(await KpiValue("responseRate"), Is.EqualTo(api.GetProperty("responseRate").GetDouble().ToString(Inv)));
            Assert.That(await Page.TextContentAsync("[data-kpi=split]"), Does.Contain($"({api.GetProperty("promoters").GetInt64():N0})")
                .And.Contain($"({api.GetProperty("detractors").GetInt64():N0})"));
            Assert.That(await Page.Locator(".trend .point").CountAsync(), Is.EqualTo(points));
            Assert.That(await Page.Locator(".trend .band").CountAsync(), Is.Positive, "the margin of error is drawn");
            Assert.That(await Page.Locator(".distribution .bar").CountAsync(), Is.EqualTo(11));
            Assert.That(scores.GetProperty("responses").GetInt64(), Is.EqualTo(api.GetProperty("responses").GetInt64()));
            Assert.That(await Page.Locator("figure.chart svg > title").CountAsync(), Is.EqualTo(2));
            Assert.That(await Page.Locator("figure.chart svg > desc").CountAsync(), Is.EqualTo(2));
            Assert.That(await Page.Locator("figure.chart details table tbody tr").CountAsync(), Is.EqualTo(api.GetProperty("series").GetArrayLength() + 11));
        }
        await Shot("overview");

        // The chart is one tab stop; the arrow keys walk its points and the tooltip follows.
        var chartPoints = Page.Locator(".trend .point");
        await chartPoints.First.FocusAsync();
        await Page.Keyboard.PressAsync("ArrowRight");
        var second = await chartPoints.Nth(1).GetAttributeAsync("aria-label");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.EvaluateAsync<string>("document.activeElement.getAttribute('aria-label')"), Is.EqualTo(second));
            Assert.That(await Page.Locator(".trend [tabindex='0']").CountAsync(), Is.EqualTo(1));
            Assert.That(await Page.Locator(".chart-tip:visible").TextContentAsync(), Is.EqualTo(second));
        }
    }

    [Test]
    public async Task Overview_IntervalAndFilter_ChangeTheCharts()
    {
        await SignIn();
        var range = await Range();
        var monthly = await Page.Locator(".trend .point").CountAsync();

        var before = await Rendered();
        await Page.Locator("#interval-week").CheckAsync();
        await WaitForRender("overview", before);
        var weekly = await Get($"/v1/metrics/nps?{range}&interval=week");
        var weeklyPoints = weekly.GetProperty("series").EnumerateArray().Count(p => p.GetProperty("nps").ValueKind != JsonValueKind.Null);
        Assert.That(await Page.Locator(".trend .point").CountAsync(), Is.EqualTo(weeklyPoints).And.GreaterThan(monthly));

        // Add the filter plan = enterprise through the filter bar.
        await Page.SelectOptionAsync("#filter-trait", "plan");
        await Page.Locator("#filter-value option[value=enterprise]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Page.SelectOptionAsync("#filter-value", "enterprise");
        before = await Rendered();
        await Page.ClickAsync("#filters button[type=submit]");
        await WaitForRender("overview", before);
        var enterprise = await Get($"/v1/metrics/nps?{range}&interval=week&where%5Bplan%5D=enterprise");
        var enterpriseScores = await Get($"/v1/metrics/scores?{range}&where%5Bplan%5D=enterprise");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await KpiValue("responses"), Is.EqualTo(enterprise.GetProperty("responses").GetInt64().ToString(Inv)));
            Assert.That(await KpiValue("nps"), Is.EqualTo(enterprise.GetProperty("nps").GetDouble().ToString(Inv)));
            Assert.That(enterprise.GetProperty("responses").GetInt64(), Is.LessThan(weekly.GetProperty("responses").GetInt64()));
            Assert.That(await Page.TextContentAsync(".chips"), Does.Contain("Plan = enterprise"));
            Assert.That(Page.Url, Does.Contain("w.plan=enterprise").And.Not.Contain("sk_"));
            Assert.That(await Page.Locator(".distribution .bar").Nth(10).GetAttributeAsync("aria-label"),
                Does.Contain($"{enterpriseScores.GetProperty("counts")[10].GetInt32():N0} responses"));
        }

        // A custom date range: the headline follows it.
        before = await Rendered();
        await Page.FillAsync("#filter-from", "2026-01-01");
        await Page.Locator("#filter-from").DispatchEventAsync("change");
        await WaitForRender("overview", before);
        var custom = await Get($"/v1/metrics/nps?from=2026-01-01&to={await Page.InputValueAsync("#filter-to")}&where%5Bplan%5D=enterprise");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.InputValueAsync("#filter-preset"), Is.EqualTo("custom"));
            Assert.That(await KpiValue("responses"), Is.EqualTo(custom.GetProperty("responses").GetInt64().ToString(Inv)));
        }
        await Shot("overview-filtered");
    }

    [Test]
    public async Task Segments_ValuesMarginsAndLowSampleFlags_EqualTheApi()
    {
        await SignIn("segments");
        var range = await Range();
        var byPlan = await Get($"/v1/metrics/nps?{range}&groupBy=plan");
        var rows = Page.Locator("#segments-table tbody tr");
        var groups = byPlan.GetProperty("groups").EnumerateArray().ToList();
        Assert.That(await rows.CountAsync(), Is.EqualTo(groups.Count));
        foreach (var g in groups)
        {
            var row = rows.Filter(new() { Has = Page.Locator($"th:text-is('{g.GetProperty("value").GetString()}')") });
            Assert.That(await row.Locator("td").First.TextContentAsync(), Is.EqualTo(Nps(g.GetProperty("nps"))), g.GetProperty("value").GetString());
        }
        await Shot("segments");

        // Accounts have many small segments: each low-sample one is flagged, in the table and the chart.
        var before = await Rendered();
        await Page.SelectOptionAsync("#segment-trait", "accountName");
        await WaitForRender("segments", before);
        var byAccount = await Get($"/v1/metrics/nps?{range}&groupBy=accountName");
        var low = byAccount.GetProperty("groups").EnumerateArray().Count(g => g.GetProperty("lowSample").GetBoolean());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(low, Is.Positive);
            Assert.That(await Page.Locator("#segments-table .badge.warn").CountAsync(), Is.EqualTo(low));
            Assert.That(await Page.Locator(".segments .bar.low").CountAsync(), Is.EqualTo(low));
            Assert.That(await Page.TextContentAsync(".notice.warn"), Does.Contain($"{low} of {byAccount.GetProperty("groups").GetArrayLength()} segments"));
        }

        // A trait filter and the grouping combine.
        await Go("#/segments?trait=role&w.plan=premium");
        var roles = await Get($"/v1/metrics/nps?{range}&groupBy=role&where%5Bplan%5D=premium");
        var admin = roles.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("value").GetString() == "admin");
        var adminRow = Page.Locator("#segments-table tbody tr").Filter(new() { Has = Page.Locator("th:text-is('admin')") });
        Assert.That(await adminRow.Locator("td").Nth(2).TextContentAsync(), Is.EqualTo(admin.GetProperty("responses").GetInt64().ToString("N0", Inv)));
    }

    [Test]
    public async Task Accounts_ScatterAndTable_MatchTheApi_AndSort()
    {
        await SignIn("accounts");
        var range = await Range();
        var api = await Get($"/v1/accounts?{range}&limit=1000");
        var items = api.GetProperty("items").EnumerateArray().ToList();
        var atRisk = items.Count(i => i.GetProperty("quadrant").ValueKind == JsonValueKind.String && i.GetProperty("quadrant").GetString() == "at_risk");
        var plotted = items.Count(i => i.GetProperty("arr").ValueKind == JsonValueKind.Number && i.GetProperty("arr").GetDouble() > 0
                                       && i.GetProperty("nps").ValueKind == JsonValueKind.Number);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.Locator("#accounts-table tbody tr").CountAsync(), Is.EqualTo(items.Count));
            Assert.That(await Page.Locator("#accounts-table tbody tr.at-risk").CountAsync(), Is.EqualTo(atRisk).And.Positive);
            Assert.That(await Page.Locator(".scatter .mark").CountAsync(), Is.EqualTo(plotted));
            Assert.That(await Page.Locator(".scatter .quadrant-line").CountAsync(), Is.EqualTo(2));
            Assert.That(await Page.TextContentAsync("#risk-title"), Does.StartWith($"{atRisk} accounts at risk"));
            Assert.That(await Page.TextContentAsync("#accounts-table"), Does.Contain("Evil <b>Corp</b>"), "names are text");
        }
        await Shot("accounts");

        var before = await Rendered();
        await Page.ClickAsync("#accounts-table th button:has-text('NPS')");
        await WaitForRender("accounts", before);
        var firstNps = await Page.Locator("#accounts-table tbody tr").First.Locator("td").Nth(1).TextContentAsync();
        var best = items.Where(i => i.GetProperty("nps").ValueKind == JsonValueKind.Number).Max(i => i.GetProperty("nps").GetDouble());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(firstNps, Is.EqualTo(best.ToString("0.0", Inv).Replace('-', '−')));
            Assert.That(await Page.GetAttributeAsync("#accounts-table th[aria-sort]", "aria-sort"), Is.EqualTo("descending"));
        }
    }

    [Test]
    public async Task Comments_FilterAndSearch_ShowWhatTheApiReturns_NewestFirst()
    {
        await SignIn("comments");
        var range = await Range();
        var before = await Rendered();
        await Page.SelectOptionAsync("#comments-category", "detractor");
        await WaitForRender("comments", before);
        var api = await Get($"/v1/responses?{range}&category=detractor&limit=25");
        var ids = await Page.Locator("#comments-list > li").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.id)");
        var scores = await Page.Locator("#comments-list .score").AllTextContentsAsync();
        var times = await Page.Locator("#comments-list time").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('datetime'))");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ids, Is.EqualTo(api.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").ToString()).ToArray()));
            Assert.That(scores.Select(int.Parse), Has.All.LessThanOrEqualTo(6));
            Assert.That(times, Is.Ordered.Descending);
            Assert.That(await Page.Locator("#comments-list .traits li").CountAsync(), Is.Positive, "traits are shown");
        }

        await Page.FillAsync("#comments-q", "slow");
        before = await Rendered();
        await Page.ClickAsync("form[role=search] button[type=submit]");
        await WaitForRender("comments", before);
        var found = await Get($"/v1/responses?{range}&category=detractor&q=slow&limit=25");
        var texts = await Page.Locator("#comments-list .comment-text").AllTextContentsAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(texts, Has.Count.EqualTo(found.GetProperty("items").GetArrayLength()).And.Count.Positive);
            Assert.That(texts, Has.All.Contains("slow").IgnoreCase);
        }
        await Shot("comments", fullPage: false);
    }

    [Test]
    public async Task Comments_HtmlInAComment_RendersAsText_AndRunsNothing()
    {
        var dialogs = await SignIn("comments?q=onerror");
        var text = await Page.Locator("#comments-list .comment-text").First.TextContentAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(text, Is.EqualTo("Export is broken " + Xss));
            Assert.That(await Page.Locator("#view img").CountAsync(), Is.Zero);
            Assert.That(await Page.Locator("#comments-list b").CountAsync(), Is.Zero, "the account name is text too");
            Assert.That(dialogs, Is.Empty);
            Assert.That(await Page.EvaluateAsync<string[]>("window.__csp"), Is.Empty);
        }
    }

    [Test]
    public async Task Comments_ExportCsv_DownloadsTheCurrentFilter()
    {
        await SignIn("comments?category=promoter&q=support");
        var range = await Range();
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.ClickAsync("#export-csv"));
        var path = Path.Combine(_screens, "export.csv");
        await download.SaveAsAsync(path);
        var expected = await _api.GetStringAsync($"/v1/responses.csv?{range}&category=promoter&q=support");
        var lines = (await File.ReadAllLinesAsync(path)).Where(l => l.Length > 0).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(download.SuggestedFilename, Does.EndWith(".csv"));
            Assert.That(await File.ReadAllTextAsync(path), Is.EqualTo(expected));
            Assert.That(lines, Has.Count.GreaterThan(1), "a header and rows");
            Assert.That(await Page.TextContentAsync("#export-status"), Does.StartWith("Exported"));
        }
    }

    [Test]
    public async Task Setup_ShowsTheSnippet_AndTheApisValidationMessagesByTheirFields()
    {
        await SignIn("setup");
        await Page.Locator(".survey-form").WaitForAsync();
        var snippet = await Page.TextContentAsync(".code pre");
        Assert.That(snippet, Does.Contain($"siteKey: '{DemoWorkspace.SiteKey}'").And.Contain(_app.Address!.GetLeftPart(UriPartial.Authority) + "/widget/v1/pulse.js"));

        await Page.FillAsync("[data-field=samplePercent] input", "150");
        await Page.FillAsync("[data-field=trigger] input", "Not An Event!");
        await Page.ClickAsync(".survey-form button[type=submit]");
        await Page.Locator(".error-summary:not([hidden])").WaitForAsync();
        var surveys = await Get("/v1/surveys");
        var id = surveys.GetProperty("items")[0].GetProperty("id").GetString();
        var direct = await _api.PutAsJsonAsync($"/v1/surveys/{id}", new { samplePercent = 150, trigger = "Not An Event!" });
        var errors = (await direct.AssertProblem(400)).GetProperty("errors");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.TextContentAsync("[data-field=samplePercent] .error"), Is.EqualTo(errors.GetProperty("samplePercent")[0].GetString()));
            Assert.That(await Page.TextContentAsync("[data-field=trigger] .error"), Is.EqualTo(errors.GetProperty("trigger")[0].GetString()));
            Assert.That(await Page.GetAttributeAsync("[data-field=samplePercent] input", "aria-invalid"), Is.EqualTo("true"));
            Assert.That(await Page.EvaluateAsync<bool>("document.activeElement.classList.contains('error-summary')"), Is.True, "focus moves to the summary");
        }
        await Shot("setup-errors");

        await Page.FillAsync("[data-field=samplePercent] input", "50");
        await Page.FillAsync("[data-field=trigger] input", "");
        await Page.ClickAsync(".survey-form button[type=submit]");
        await Page.Locator(".survey-form [role=status]:has-text('Saved')").WaitForAsync();
        var saved = await Get($"/v1/surveys/{id}");
        Assert.That(saved.GetProperty("samplePercent").GetDouble(), Is.EqualTo(50));
        await (await _api.PutAsJsonAsync($"/v1/surveys/{id}", new { samplePercent = 100 })).ReadJson<JsonElement>();
    }

    [Test]
    public async Task SignIn_KeepsTheKeyInTheTabOnly_AndSignOutForgetsIt()
    {
        await Page.GotoAsync(new Uri(_app.Address!, "/dashboard").ToString());
        await Page.FillAsync("#secret-key", "sk_not_a_real_key_000000000000000");
        await Page.ClickAsync("#signin-form button[type=submit]");
        await Page.Locator("#secret-key-error:has-text('not accepted')").WaitForAsync();

        await SignIn();
        var stored = await Page.EvaluateAsync<string?>("sessionStorage.getItem('pulse.secretKey')");
        var cookies = await Page.Context.CookiesAsync();
        var local = await Page.EvaluateAsync<int>("localStorage.length");
        await Page.ReloadAsync();
        await WaitForRender("overview", "");
        await Page.ClickAsync("#sign-out");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored, Is.EqualTo(DemoWorkspace.SecretKey));
            Assert.That(cookies, Is.Empty);
            Assert.That(local, Is.Zero);
            Assert.That(Page.Url, Does.Not.Contain("sk_"));
            Assert.That(await Page.EvaluateAsync<string?>("sessionStorage.getItem('pulse.secretKey')"), Is.Null);
            Assert.That(await Page.IsVisibleAsync("#signin"), Is.True);
            Assert.That(await Page.Locator("#view").InnerTextAsync(), Is.Empty, "no data left on the page");
        }
    }

    [TestCase("light")]
    [TestCase("dark")]
    public async Task EveryView_HasNoAxeViolations_NoCspViolations_NoErrors(string scheme)
    {
        var page = await OpenAsync(new() { ColorScheme = scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light, ViewportSize = new() { Width = 1280, Height = 900 } });
        var dialogs = await SignIn("overview", page);
        var signInAxe = await page.RunAxe();
        Assert.That(signInAxe.Violations, Is.Empty, Describe(signInAxe));
        foreach (var view in Views)
        {
            await Go("#/" + view);
            if (view == "setup")
                await page.Locator(".survey-form").WaitForAsync();
            // Open every data table, so axe checks them too.
            await page.EvaluateAsync("document.querySelectorAll('details').forEach(d => d.open = true)");
            var result = await page.RunAxe();
            Assert.That(result.Violations, Is.Empty, $"{view} ({scheme}): {Describe(result)}");
            await page.EvaluateAsync("document.querySelectorAll('details').forEach(d => d.open = false)");
            await Shot($"{view}-{scheme}", fullPage: view != "comments");
        }
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await page.EvaluateAsync<string[]>("window.__csp"), Is.Empty);
            Assert.That(Current.Errors, Is.Empty);
            Assert.That(dialogs, Is.Empty);
        }
    }

    [Test]
    public async Task Phone_EveryViewReflows_WithoutHorizontalScrolling()
    {
        var page = await OpenAsync(new() { ViewportSize = new() { Width = 360, Height = 780 }, IsMobile = true, HasTouch = true });
        await SignIn("overview", page);
        foreach (var view in Views)
        {
            await Go("#/" + view);
            var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.That(overflow, Is.LessThanOrEqualTo(0), view);
            if (view is "overview" or "accounts")
                await Shot($"{view}-phone");
        }
    }

    static string Describe(AxeResult result) =>
        string.Join("; ", result.Violations.Select(v => $"{v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}"));
}
