using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Playwright;
using Pulse.Api.Dashboard;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Dashboard;

/// <summary>
/// The dashboard's result views in Chromium against the real API on a loopback port, on a seeded
/// demo workspace: every view renders, its numbers equal the analytics API's (or an independent
/// computation from the database) for the same filters, the fixes a product manager asked for hold,
/// filters change the charts, the CSV downloads, data never becomes markup. Axe over every view, light and dark,
/// is <see cref="DashboardEveryViewBrowserTests"/>; every view at 320 px is <see cref="DashboardPhoneBrowserTests"/>.
/// </summary>
public sealed class DashboardBrowserTests : DashboardResultsPage
{
    // ---- overview ------------------------------------------------------------------------------

    [Test]
    public async Task Overview_HeadlineAndCharts_EqualTheAnalyticsApi()
    {
        await SignIn();
        var range = await Range();
        var api = await Get($"/v1/metrics/nps?{range}&interval=month");
        var scores = await Get($"/v1/metrics/scores?{range}");
        var points = api.GetProperty("series").EnumerateArray().Count(p => p.GetProperty("nps").ValueKind != JsonValueKind.Null);
        // Every percentage of data has one decimal ("95%" is the confidence level, not data).
        var percentages = System.Text.RegularExpressions.Regex.Matches(await Page.InnerTextAsync("#view"), @"\d+(\.\d+)?%")
            .Select(m => m.Value).Where(v => v != "95%").ToList();
        var barOrder = await Page.Locator(".split-svg rect").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('class'))");
        var legendOrder = await Page.Locator(".split .legend .key").EvaluateAllAsync<string[]>("els => els.map(e => e.classList[1])");
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
            Assert.That(await Page.Locator("figure.chart details table tbody tr").CountAsync(), Is.EqualTo(api.GetProperty("series").GetArrayLength() + 11));
            Assert.That(percentages, Is.Not.Empty.And.All.Match(@"^\d+\.\d%$"), "one precision for every percentage");
            Assert.That(legendOrder, Is.EqualTo(barOrder), "the split's legend reads in the order of its bar");
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
    public async Task Overview_TopReasonsAmongDetractors_EqualTheReasonsApi()
    {
        await SignIn();
        var range = await Range();
        var api = await Get($"/v1/metrics/reasons?{range}&category=detractor");
        var rows = Page.Locator("table.reasons tbody tr");
        await rows.First.WaitForAsync();
        var reasons = api.GetProperty("reasons").EnumerateArray().Take(10).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reasons, Is.Not.Empty, "the demo seed answers the reasons question");
            Assert.That(await rows.CountAsync(), Is.EqualTo(reasons.Count));
            Assert.That(await Page.Locator("table.reasons").GetAttributeAsync("data-respondents"), Is.EqualTo(api.GetProperty("respondents").GetInt64().ToString(Inv)));
            for (var i = 0; i < reasons.Count; i++)
            {
                var cells = await rows.Nth(i).Locator("th, td").AllTextContentsAsync();
                Assert.That(await rows.Nth(i).GetAttributeAsync("data-reason"), Is.EqualTo(reasons[i].GetProperty("id").GetString()));
                Assert.That(cells[1], Is.EqualTo(reasons[i].GetProperty("count").GetInt64().ToString("N0", Inv)));
                Assert.That(cells[2], Is.EqualTo(reasons[i].GetProperty("share").GetDouble().ToString("0.0", Inv) + "%"));
            }
        }
    }

    /// <summary>NPS and its 95 % margin of error from raw scores, at full precision, with no code of Pulse's.</summary>
    static (double Nps, double Variance, int N) Independent(IReadOnlyList<int> scores)
    {
        double n = scores.Count;
        var p = scores.Count(s => s >= 9) / n;
        var d = scores.Count(s => s <= 6) / n;
        return (100 * (p - d), (p + d - (p - d) * (p - d)) / n, scores.Count);
    }

    [TestCase("30d")]
    [TestCase("90d")]
    public async Task Overview_ChangeAgainstThePreviousPeriod_EqualsAnIndependentComputation(string preset)
    {
        await SignIn($"overview?preset={preset}");
        var from = DateTime.Parse(await Page.InputValueAsync("#filter-from"), Inv, System.Globalization.DateTimeStyles.AdjustToUniversal);
        var to = DateTime.Parse(await Page.InputValueAsync("#filter-to"), Inv, System.Globalization.DateTimeStyles.AdjustToUniversal);
        var days = (to - from).Days + 1;
        List<(int Score, long At)> rows;
        using (var c = App.Db.Open())
            // The Overview of "All surveys" reports NPS: the answers of the NPS surveys (the demo also asks CSAT and CES).
            rows = c.Query<(int, long)>("SELECT score, created_at FROM responses WHERE workspace_id = @W AND survey_id IN (SELECT id FROM surveys WHERE kind = 'nps')",
                new { W = DemoWorkspace.Id }).ToList();
        static long Ms(DateTime d) => new DateTimeOffset(d, TimeSpan.Zero).ToUnixTimeMilliseconds();
        List<int> Between(DateTime a, DateTime b) => rows.Where(r => r.At >= Ms(a) && r.At < Ms(b)).Select(r => r.Score).ToList();
        var now = Independent(Between(from, to.AddDays(1)));
        var before = Independent(Between(from.AddDays(-days), from));
        var delta = now.Nps - before.Nps;
        var margin = 1.96 * 100 * Math.Sqrt(now.Variance + before.Variance);

        var shown = double.Parse(await KpiValue("change") ?? "", Inv);
        var shownMargin = double.Parse(await Page.GetAttributeAsync("[data-kpi=change] .kpi-value", "data-margin") ?? "", Inv);
        var beyond = await Page.GetAttributeAsync("[data-kpi=change]", "data-beyond");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(before.N, Is.GreaterThan(30), "the previous period has answers");
            Assert.That(await Page.TextContentAsync("[data-kpi=change] dt"), Is.EqualTo($"Change vs previous {days} days"));
            // The API rounds each NPS and margin to 0.1; the change and its margin are within rounding of the exact values.
            Assert.That(shown, Is.EqualTo(delta).Within(0.15));
            Assert.That(shownMargin, Is.EqualTo(margin).Within(0.15));
            if (Math.Abs(Math.Abs(delta) - margin) > 0.3)
                Assert.That(beyond, Is.EqualTo(Math.Abs(delta) > margin ? "true" : "false"), $"Δ {delta:0.00}, margin {margin:0.00}");
            Assert.That(await Page.TextContentAsync("[data-kpi=change] .kpi-note"),
                Does.Contain(Math.Abs(delta) > margin ? "beyond the margin of error" : "within the margin of error"));
        }

        // The pure functions, on cases worked by hand.
        var cases = await Page.EvaluateAsync<JsonElement>("""
            async () => {
              const m = await import('/dashboard/assets/compare.js');
              return {
                range: m.previousRange('2026-03-01', '2026-03-30'),
                beyond: m.change({ nps: 40, marginOfError: 5 }, { nps: 30, marginOfError: 5 }),
                within: m.change({ nps: 32, marginOfError: 5 }, { nps: 30, marginOfError: 5 }),
                none: m.change({ nps: 32, marginOfError: 5 }, { nps: null, marginOfError: null }),
              };
            }
            """);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cases.GetProperty("range").GetProperty("from").GetString(), Is.EqualTo("2026-01-30"));
            Assert.That(cases.GetProperty("range").GetProperty("to").GetString(), Is.EqualTo("2026-02-28"));
            Assert.That(cases.GetProperty("beyond").GetProperty("margin").GetDouble(), Is.EqualTo(7.1));
            Assert.That(cases.GetProperty("beyond").GetProperty("beyondMargin").GetBoolean(), Is.True);
            Assert.That(cases.GetProperty("within").GetProperty("beyondMargin").GetBoolean(), Is.False);
            Assert.That(cases.GetProperty("none").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }
    }

    [Test]
    public async Task Overview_TargetLine_FollowsTheWorkspaceSetting()
    {
        await (await Api.PutAsJsonAsync("/v1/workspace", new { npsTarget = 40 })).ReadJson<JsonElement>();
        try
        {
            await SignIn();
            var line = Page.Locator(".trend .target-line");
            var y = double.Parse(await line.GetAttributeAsync("y1") ?? "", Inv);
            var tick = Page.Locator(".trend text.tick", new() { HasTextString = "40" });
            using (Assert.EnterMultipleScope())
            {
                Assert.That(await line.GetAttributeAsync("data-value"), Is.EqualTo("40"));
                Assert.That(await Page.TextContentAsync(".trend .target-label"), Is.EqualTo("Target 40.0"));
                Assert.That(await Page.TextContentAsync(".trend desc"), Does.Contain("target NPS of 40.0"));
                if (await tick.CountAsync() == 1)
                    Assert.That(double.Parse(await tick.GetAttributeAsync("y") ?? "", Inv), Is.EqualTo(y).Within(0.01), "drawn at 40 on the axis");
            }
        }
        finally
        {
            await (await Api.PutAsJsonAsync("/v1/workspace", new { npsTarget = (double?)null })).ReadJson<JsonElement>();
        }
        await Page.ReloadAsync();
        await WaitForRender("overview", "");
        Assert.That(await Page.Locator(".trend .target-line").CountAsync(), Is.Zero, "no target, no line");
    }

    [Test]
    public async Task Overview_DayIntervalOverAYear_DrawsWeeks_AndSaysWhy()
    {
        await SignIn("overview?interval=day");
        var range = await Range();
        var weekly = await Get($"/v1/metrics/nps?{range}&interval=week");
        var weeks = weekly.GetProperty("series").EnumerateArray().Count(p => p.GetProperty("nps").ValueKind != JsonValueKind.Null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.IsCheckedAsync("#interval-day"), Is.True);
            Assert.That(await Page.TextContentAsync("#interval-notice"), Does.Contain("the chart shows weeks"));
            Assert.That(await Page.Locator(".trend .point").CountAsync(), Is.EqualTo(weeks));
        }

        await Go("#/overview?interval=day&preset=30d");
        var daily = await Get($"/v1/metrics/nps?{await Range()}&interval=day");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.Locator("#interval-notice").CountAsync(), Is.Zero, "30 days of daily points are drawn as days");
            Assert.That(await Page.Locator(".trend .point").CountAsync(),
                Is.EqualTo(daily.GetProperty("series").EnumerateArray().Count(p => p.GetProperty("nps").ValueKind != JsonValueKind.Null)));
        }
    }

    [TestCase(320)]
    [TestCase(390)]
    [TestCase(800)]
    [TestCase(1280)]
    public async Task Charts_AxisLabelsNeverCollide_AndNoTickSaysMinusZero(int width)
    {
        var page = await OpenAsync(new() { ViewportSize = new() { Width = width, Height = 900 } });
        await SignIn("overview", page);
        foreach (var hash in new[] { "#/overview", "#/overview?interval=week", "#/overview?interval=quarter", "#/overview?interval=day&preset=30d", "#/overview?interval=week&preset=90d" })
        {
            await Go(hash, page);
            var boxes = await page.Locator(".trend .x-tick").EvaluateAllAsync<double[][]>(
                "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; }).sort((a, b) => a[0] - b[0])");
            Assert.That(boxes, Has.Length.GreaterThan(1), hash);
            for (var i = 1; i < boxes.Length; i++)
                Assert.That(boxes[i][0], Is.GreaterThan(boxes[i - 1][1] + 2), $"{hash} at {width}px: labels {i - 1} and {i} overlap");
            Assert.That(await Overflow(page), Is.LessThanOrEqualTo(0), $"{hash} at {width}px");
        }
        foreach (var hash in new[] { "#/overview", "#/segments", "#/accounts" })
        {
            await Go(hash, page);
            var ticks = await page.Locator(".chart-svg .tick").AllTextContentsAsync();
            Assert.That(ticks, Has.None.Match(@"^[−-]0(\.0+)?$"), $"{hash}: no axis says −0");
            Assert.That(ticks, Has.Some.EqualTo("0"), $"{hash}: the zero tick reads 0");
        }
    }

    // ---- segments ------------------------------------------------------------------------------

    [Test]
    public async Task Segments_ValuesMarginsAndTheSampleOfEveryRow_EqualTheApi()
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
            using (Assert.EnterMultipleScope())
            {
                Assert.That(await row.Locator("td").First.TextContentAsync(), Is.EqualTo(Nps(g.GetProperty("nps"))), g.GetProperty("value").GetString());
                Assert.That(await row.Locator("td.sample").TextContentAsync(), Does.StartWith($"n = {g.GetProperty("responses").GetInt64():N0}"));
            }
        }
        await Shot("segments");

        // A trait filter and the grouping combine.
        await Go("#/segments?trait=role&w.plan=premium");
        var roles = await Get($"/v1/metrics/nps?{range}&groupBy=role&where%5Bplan%5D=premium");
        var admin = roles.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("value").GetString() == "admin");
        var adminRow = Page.Locator("#segments-table tbody tr").Filter(new() { Has = Page.Locator("th:text-is('admin')") });
        Assert.That(await adminRow.Locator("td").Nth(2).TextContentAsync(), Is.EqualTo(admin.GetProperty("responses").GetInt64().ToString("N0", Inv)));
    }

    [Test]
    public async Task Segments_LowSampleBars_AreHatchedAsTheLegendSays()
    {
        await SignIn("segments?trait=accountName&all=1");
        var byAccount = await Get($"/v1/metrics/nps?{await Range()}&groupBy=accountName");
        // Low-sample values with answers get a bar (a value only shown, never answered, has none).
        var low = byAccount.GetProperty("groups").EnumerateArray().Count(g => g.GetProperty("lowSample").GetBoolean() && g.GetProperty("nps").ValueKind == JsonValueKind.Number);
        var lowRows = byAccount.GetProperty("groups").EnumerateArray().Count(g => g.GetProperty("lowSample").GetBoolean());
        var lowFills = await Page.Locator(".segments .bar.low").EvaluateAllAsync<string[]>("els => els.map(e => getComputedStyle(e).fill)");
        var fullFills = await Page.Locator(".segments .bar:not(.low)").EvaluateAllAsync<string[]>("els => els.map(e => getComputedStyle(e).fill)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(low, Is.Positive);
            Assert.That(lowFills, Has.Length.EqualTo(low));
            Assert.That(lowFills, Has.All.StartsWith("url("), "the hatch pattern is what a low-sample bar shows");
            Assert.That(fullFills, Is.Not.Empty.And.All.StartsWith("rgb("), "other bars are solid");
            Assert.That(await Page.Locator("#segments-table .badge.warn").CountAsync(), Is.EqualTo(lowRows));
            Assert.That(await Page.TextContentAsync(".notice.warn"), Does.Contain($"{lowRows} of {byAccount.GetProperty("groups").GetArrayLength()} segments"));
        }
        await Page.Locator(".segments .bar.low").First.ScrollIntoViewIfNeededAsync();
        await Page.Locator(".segments .bar.low").First.ScreenshotAsync(new() { Path = Path.Combine(Screens, "segments-low-bar.png") });
    }

    [Test]
    public async Task Segments_ManyValues_ShowTheTop20ByResponses_ThenAll_SortableByNpsOrN()
    {
        await SignIn("segments?trait=accountName");
        var groups = (await Get($"/v1/metrics/nps?{await Range()}&groupBy=accountName")).GetProperty("groups").EnumerateArray().ToList();
        var top = groups.OrderByDescending(g => g.GetProperty("responses").GetInt64()).Take(20).ToList();
        var shown = await Page.Locator("#segments-table tbody th").AllTextContentsAsync();
        var responses = (await Page.Locator("#segments-table tbody tr td:nth-child(4)").AllTextContentsAsync()).Select(t => long.Parse(t, System.Globalization.NumberStyles.AllowThousands, Inv)).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(groups, Has.Count.GreaterThan(20));
            Assert.That(shown, Has.Count.EqualTo(20));
            Assert.That(responses, Is.Ordered.Descending, "most responses first");
            Assert.That(responses.Min(), Is.EqualTo(top.Min(g => g.GetProperty("responses").GetInt64())), "the 20 with the most responses");
            Assert.That(await Page.Locator(".segments .bar").CountAsync(), Is.EqualTo(20), "the chart shows the same 20");
            Assert.That(await Page.TextContentAsync("#segments-show-all"), Is.EqualTo($"Show all {groups.Count} values"));
        }

        await AndRender("segments", () => Page.SelectOptionAsync("#segment-order", "nps"));
        var nps = (await Page.Locator("#segments-table tbody tr td:nth-child(2)").AllTextContentsAsync())
            .Select(t => double.Parse(t.Replace('−', '-'), Inv)).ToList();
        Assert.That(nps, Is.Ordered.Descending, "sorted by NPS");

        await AndRender("segments", () => Page.ClickAsync("#segments-show-all"));
        Assert.That(await Page.Locator("#segments-table tbody tr").CountAsync(), Is.EqualTo(groups.Count));
    }

    [Test]
    public async Task Segments_NumericTraits_AreGroupedIntoBands_ThatTheReaderCanChange()
    {
        await SignIn("segments?trait=arr");
        var range = await Range();
        var banded = (await Get($"/v1/metrics/nps?{range}&groupBy=arr&bands=1000,10000,100000,1000000")).GetProperty("groups").EnumerateArray().ToList();
        var labels = await Page.Locator("#segments-table tbody th").AllTextContentsAsync();
        var counts = (await Page.Locator("#segments-table tbody tr td:nth-child(4)").AllTextContentsAsync()).Select(t => long.Parse(t, System.Globalization.NumberStyles.AllowThousands, Inv));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(labels, Is.EqualTo(new[] { "< $1K", "$1K–10K", "$10K–100K", "$100K–1M" }.Take(labels.Count)), "bands in order, as money");
            Assert.That(counts, Is.EqualTo(banded.Select(g => g.GetProperty("responses").GetInt64())));
            Assert.That(await Page.InputValueAsync("#segment-bands"), Is.EqualTo("1000, 10000, 100000, 1000000"));
        }
        await Shot("segments-bands");

        await Page.FillAsync("#segment-bands", "5000, 50K");
        await AndRender("segments", () => Page.ClickAsync("form.bands button[type=submit]"));
        var custom = (await Get($"/v1/metrics/nps?{range}&groupBy=arr&bands=5000,50000")).GetProperty("groups").EnumerateArray().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Page.Url, Does.Contain("bands=5000%2C50000"));
            Assert.That(await Page.Locator("#segments-table tbody th").AllTextContentsAsync(), Is.EqualTo(new[] { "< $5K", "$5K–50K", "≥ $50K" }));
            Assert.That((await Page.Locator("#segments-table tbody tr td:nth-child(4)").AllTextContentsAsync()).Select(t => long.Parse(t, System.Globalization.NumberStyles.AllowThousands, Inv)),
                Is.EqualTo(custom.Select(g => g.GetProperty("responses").GetInt64())));
        }

        await Page.FillAsync("#segment-bands", "50000, 5000");
        await Page.ClickAsync("form.bands button[type=submit]");
        Assert.That(await Page.TextContentAsync("#segment-bands-error"), Does.Contain("ascending numbers"));

        await AndRender("segments", () => Page.ClickAsync("form.bands button:has-text('One row per value')"));
        Assert.That(await Page.Locator("#segments-table tbody tr").CountAsync(), Is.EqualTo(20), "one row per ARR value, the top 20");
    }

    [Test]
    public async Task Segments_LongNames_WrapInTheChart_AndShowInFullOnFocus()
    {
        await SignIn("segments?trait=accountName&all=1");
        var label = Page.Locator(".segments text.label", new() { Has = Page.Locator($"title:text-is('{LongName}')") });
        var lines = await label.Locator("tspan").AllTextContentsAsync();
        var bar = Page.Locator($".segments .bar[aria-label*='{LongName}']");
        await bar.FocusAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(lines, Has.Count.EqualTo(2), "the name wraps onto two lines");
            Assert.That(string.Join(" ", lines), Does.StartWith("The Very Long-Named"));
            Assert.That(await Page.Locator(".chart-tip:visible").TextContentAsync(), Does.Contain(LongName), "the full name on focus");
            Assert.That(await Page.Locator("#segments-table th", new() { HasTextString = LongName }).CountAsync(), Is.EqualTo(1), "and in the table");
        }
    }

    // ---- accounts ------------------------------------------------------------------------------

    async Task<Dictionary<string, string>> QuadrantsInTable()
    {
        if (await Page.Locator("#accounts-show-all").CountAsync() > 0)
            await Page.ClickAsync("#accounts-show-all");
        var rows = await Page.Locator("#accounts-table tbody tr").EvaluateAllAsync<string[][]>(
            "els => els.map(r => [r.dataset.account, r.lastElementChild.textContent.trim()])");
        return rows.ToDictionary(r => r[0], r => r[1]);
    }

    [Test]
    public async Task Accounts_TableAndCallout_MatchTheApi_LowSampleIsNeverAtRisk()
    {
        await SignIn("accounts");
        var range = await Range();
        // The page states "high NPS: above 0", which is the API's npsThreshold 0.1 (NPS has one decimal).
        var api = await Get($"/v1/accounts?{range}&limit=1000&npsThreshold=0.1");
        var items = api.GetProperty("items").EnumerateArray().ToList();
        bool InQuadrant(JsonElement i, string q) => i.GetProperty("quadrant").ValueKind == JsonValueKind.String && i.GetProperty("quadrant").GetString() == q;
        var atRisk = items.Count(i => InQuadrant(i, "at_risk") && !i.GetProperty("lowSample").GetBoolean());
        var unclear = items.Count(i => InQuadrant(i, "at_risk") && i.GetProperty("lowSample").GetBoolean());
        var plotted = items.Count(i => i.GetProperty("arr").ValueKind == JsonValueKind.Number && i.GetProperty("arr").GetDouble() > 0
                                       && i.GetProperty("nps").ValueKind == JsonValueKind.Number);
        await Shot("accounts");
        var quadrants = await QuadrantsInTable();
        var lowRows = Page.Locator("#accounts-table tbody tr", new() { Has = Page.Locator(".badge.warn") });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(quadrants, Has.Count.EqualTo(items.Count));
            Assert.That(await Page.Locator("#accounts-table tbody tr.at-risk").CountAsync(), Is.EqualTo(atRisk).And.Positive);
            Assert.That(await Page.Locator(".scatter .mark").CountAsync(), Is.EqualTo(plotted));
            Assert.That(await Page.Locator(".scatter .mark.low").CountAsync(), Is.Positive, "low-sample accounts are hollow");
            Assert.That(await Page.Locator(".scatter .quadrant-line").CountAsync(), Is.EqualTo(2));
            Assert.That(await Page.TextContentAsync("#risk-title"), Does.StartWith($"At risk: {atRisk} accounts"));
            Assert.That(await Page.TextContentAsync("#risk-unclear"),
                Does.StartWith($"{unclear} more high-ARR {(unclear == 1 ? "account has" : "accounts have")} low NPS from fewer than 30 responses"));
            Assert.That(await lowRows.Locator(".badge.risk").CountAsync(), Is.Zero, "a low-sample account is never called at risk");
            Assert.That(await Page.Locator(".risk-list li").AllTextContentsAsync(), Has.All.Match(@"responses$"));
            Assert.That(quadrants["acc_zero"], Is.EqualTo("Low NPS, low sample"), "NPS exactly 0 is not high NPS");
            Assert.That(await Page.TextContentAsync("#accounts-table"), Does.Contain("Evil <b>Corp</b>"), "names are text");
            Assert.That(await Page.InnerTextAsync("#view"), Does.Not.Contain("at_risk").And.Not.Contain("At Risk").And.Not.Contain("Champions"), "one spelling");
        }
        foreach (var item in items.Where(i => i.GetProperty("marginOfError").ValueKind == JsonValueKind.Number).Take(10))
        {
            var row = Page.Locator($"#accounts-table tbody tr[data-account='{item.GetProperty("accountId").GetString()}']");
            Assert.That(await row.Locator("td").Nth(2).TextContentAsync(), Is.EqualTo("±" + item.GetProperty("marginOfError").GetDouble().ToString("0.0", Inv)));
        }

        await AndRender("accounts", () => Page.ClickAsync("#accounts-table th button:has-text('NPS')"));
        var firstNps = await Page.Locator("#accounts-table tbody tr").First.Locator("td").Nth(1).TextContentAsync();
        var best = items.Where(i => i.GetProperty("nps").ValueKind == JsonValueKind.Number).Max(i => i.GetProperty("nps").GetDouble());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(firstNps, Is.EqualTo(best.ToString("0.0", Inv).Replace('-', '−')));
            Assert.That(await Page.GetAttributeAsync("#accounts-table th[aria-sort]", "aria-sort"), Is.EqualTo("descending"));
        }
    }

    [Test]
    public async Task Accounts_QuadrantLines_AreStated_StableUnderAFilter_AndAdjustable()
    {
        await SignIn("accounts");
        var range = await Range();
        var everyone = await Get($"/v1/accounts?{range}&limit=1&npsThreshold=0.1");
        var median = everyone.GetProperty("arrThreshold").GetDouble();
        var all = await QuadrantsInTable();
        var rule = await Page.TextContentAsync("#quadrant-rule");

        await Go("#/accounts?w.csm=Tom+Becker");
        var filtered = await QuadrantsInTable();
        var filteredRule = await Page.TextContentAsync("#quadrant-rule");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rule, Does.Contain($"${median:N0} or more (the median ARR of all accounts in this range)").And.Contain("high NPS above 0.0"));
            Assert.That(filteredRule, Does.Contain($"${median:N0} or more").And.Contain("before the filters"), "the line stays where it was");
            Assert.That(filtered, Is.Not.Empty.And.Count.LessThan(all.Count));
            foreach (var (account, quadrant) in filtered)
                Assert.That(quadrant, Is.EqualTo(all[account]), $"{account} keeps its quadrant under the CSM filter");
        }

        await Go("#/accounts");
        await Page.FillAsync("#accounts-arr-line", "50000");
        await Page.FillAsync("#accounts-nps-line", "10");
        await AndRender("accounts", () => Page.ClickAsync(".quadrant-lines button[type=submit]"));
        var moved = await Get($"/v1/accounts?{range}&limit=1000&arrThreshold=50000&npsThreshold=10.1");
        var atRisk = moved.GetProperty("items").EnumerateArray().Count(i =>
            i.GetProperty("quadrant").ValueKind == JsonValueKind.String && i.GetProperty("quadrant").GetString() == "at_risk" && !i.GetProperty("lowSample").GetBoolean());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Page.Url, Does.Contain("arrLine=50000").And.Contain("npsLine=10"));
            Assert.That(await Page.TextContentAsync("#quadrant-rule"), Does.Contain("$50,000 or more (your choice)").And.Contain("above 10.0"));
            Assert.That(await Page.Locator("#accounts-table tbody tr.at-risk").CountAsync(), Is.EqualTo(atRisk));
        }
    }

    // ---- comments ------------------------------------------------------------------------------

    [Test]
    public async Task Comments_FilterAndSearch_ShowWhatTheApiReturns_NewestFirst()
    {
        await SignIn("comments");
        var range = await Range();
        await AndRender("comments", () => Page.SelectOptionAsync("#comments-category", "detractor"));
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
        await AndRender("comments", () => Page.ClickAsync("form[role=search] button[type=submit]"));
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
    public async Task Comments_ShowTheTotal_AndAWithACommentOnlyFilter()
    {
        await SignIn("comments");
        var range = await Range();
        var all = await Get($"/v1/responses?{range}&limit=25");
        Assert.That(await Page.TextContentAsync("#comments-count"), Is.EqualTo($"Showing 25 of {all.GetProperty("total").GetInt64():N0} responses, newest first."));
        Assert.That(await Page.Locator("#comments-list .comment-text.muted").CountAsync(), Is.Positive, "answers without a comment are listed too");

        await AndRender("comments", () => Page.CheckAsync("#comments-with-comment"));
        var withComment = await Get($"/v1/responses?{range}&limit=25&withComment=true");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Page.Url, Does.Contain("comment=1"));
            Assert.That(await Page.TextContentAsync("#comments-count"),
                Is.EqualTo($"Showing 25 of {withComment.GetProperty("total").GetInt64():N0} comments, newest first."));
            Assert.That(withComment.GetProperty("total").GetInt64(), Is.LessThan(all.GetProperty("total").GetInt64()));
            Assert.That(await Page.Locator("#comments-list .comment-text.muted").CountAsync(), Is.Zero, "every card has a comment");
        }
        await Page.ClickAsync("#view button:has-text('Load more')");
        await Page.Locator("#comments-count:has-text('Showing 50 of')").WaitForAsync();
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
    public async Task Inbox_AndResponsePage_ShowHtmlAsText_ForACsmOnTheFullDemo()
    {
        // The XSS answer is an unassigned detractor's: it waits in everyone's Inbox, as text.
        var dana = DemoFollowUps.Csms[0];
        var dialogs = await SignIn("inbox", email: dana.Email, password: DemoWorkspace.Owner.Password);
        var comments = await Page.Locator("#inbox-unassigned .inbox-comment").AllTextContentsAsync();
        var mine = await Page.Locator("#inbox-mine .inbox-row").CountAsync();
        await Shot("inbox", fullPage: false);
        var xss = (await Get("/v1/responses?q=onerror")).GetProperty("items")[0].GetProperty("id").GetInt64();
        await Go($"#/responses/{xss}");
        var comment = await Page.TextContentAsync("#response-comment");
        var account = await Page.TextContentAsync("#account-title");
        var closed = (await Get($"/v1/follow-ups?status=closed&assignee={Uri.EscapeDataString(dana.Email)}&limit=1")).GetProperty("items")[0];
        await Go($"#/responses/{closed.GetProperty("response").GetProperty("id").GetInt64()}");
        await Shot("response");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(mine, Is.GreaterThan(1), "the full demo gives a CSM several open follow-ups");
            Assert.That(comments, Does.Contain("Export is broken " + Xss));
            Assert.That(comment, Is.EqualTo("Export is broken " + Xss));
            Assert.That(account, Is.EqualTo("Account: Evil <b>Corp</b>"));
            Assert.That(await Page.Locator("#view img, #view b").CountAsync(), Is.Zero);
            Assert.That(dialogs, Is.Empty);
            Assert.That(await Page.EvaluateAsync<string[]>("window.__csp"), Is.Empty);
        }
    }

    [Test]
    public async Task Comments_ExportCsv_DownloadsTheCurrentFilter()
    {
        await SignIn("comments?category=promoter&q=support&comment=1");
        var range = await Range();
        var download = await Page.RunAndWaitForDownloadAsync(() => Page.ClickAsync("#export-csv"));
        var path = Path.Combine(Screens, "export.csv");
        await download.SaveAsAsync(path);
        var expected = await Api.GetStringAsync($"/v1/responses.csv?{range}&category=promoter&q=support&withComment=true");
        var lines = (await File.ReadAllLinesAsync(path)).Where(l => l.Length > 0).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(download.SuggestedFilename, Does.EndWith(".csv"));
            Assert.That(await File.ReadAllTextAsync(path), Is.EqualTo(expected));
            Assert.That(lines, Has.Count.GreaterThan(1), "a header and rows");
            Assert.That(await Page.TextContentAsync("#export-status"), Does.StartWith("Exported"));
        }
    }

    // ---- setup, sign-in, every view --------------------------------------------------------------

    [Test]
    public async Task Setup_HasOneHeading_ASnippetThatFits_AndFollowsIdentityVerification()
    {
        var page = await OpenAsync(new() { ViewportSize = new() { Width = 320, Height = 800 } });
        await SignIn("setup", page);
        var snippet = await page.TextContentAsync("#setup-snippet");
        var headings = await page.Locator("#view h1, #view h2, #view h3").AllTextContentsAsync();
        var fits = await page.EvaluateAsync<bool>("() => { const p = document.getElementById('setup-snippet'); return p.scrollWidth <= p.clientWidth; }");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(snippet, Does.Contain($"siteKey: '{DemoWorkspace.SiteKey}'").And.Contain(App.Address!.GetLeftPart(UriPartial.Authority) + "/widget/v1/pulse.js"));
            Assert.That(snippet, Does.Not.Contain("userHash"), "the demo does not verify identities, so its snippet sends no userHash");
            Assert.That(await page.TextContentAsync("#hash-status"), Does.StartWith("Identity verification is off"));
            Assert.That(await page.Locator("#view h1").CountAsync(), Is.EqualTo(1));
            Assert.That(headings, Is.Unique, "no heading says the same as another");
            Assert.That(fits, Is.True, "the snippet wraps inside its box");
            Assert.That(await Overflow(page), Is.LessThanOrEqualTo(0));
        }
        await Shot("setup-phone", page: page);
    }

    [Test]
    public async Task SignIn_IsAnHttpOnlyCookie_NothingInStorage_AndSignOutEndsIt()
    {
        await Page.GotoAsync(new Uri(App.Address!, "/dashboard").ToString());
        await Page.FillAsync("#signin-email", DemoWorkspace.Owner.Email);
        await Page.FillAsync("#signin-password", "not the demo password");
        await Page.ClickAsync("#signin-form button[type=submit]");
        await Page.Locator("#signin-error:has-text('email or the password is wrong')").WaitForAsync();

        await SignIn();
        var cookies = await Page.Context.CookiesAsync();
        var storage = await Page.EvaluateAsync<int>("localStorage.length + sessionStorage.length");
        var readable = await Page.EvaluateAsync<string>("document.cookie");
        await Page.ReloadAsync();
        await WaitForRender("overview", "");
        await Page.ClickAsync("#sign-out");
        await Page.Locator("#signin:not([hidden])").WaitForAsync();
        using var replay = App.CookieClient();
        replay.DefaultRequestHeaders.Add("Cookie", $"{cookies.Single().Name}={cookies.Single().Value}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cookies.Single().Name, Is.EqualTo(Pulse.Api.Team.SessionAuthenticationHandler.CookieName));
            Assert.That(cookies.Single().HttpOnly, Is.True);
            Assert.That(cookies.Single().SameSite, Is.EqualTo(SameSiteAttribute.Strict));
            Assert.That(readable, Is.Empty, "no script can read the session");
            Assert.That(storage, Is.Zero);
            Assert.That(Page.Url, Does.Not.Contain("ses_"));
            Assert.That(await Page.IsVisibleAsync("#signin"), Is.True);
            Assert.That(await Page.Locator("#view").InnerTextAsync(), Is.Empty, "no data left on the page");
            Assert.That((int)(await replay.GetAsync("/v1/workspace")).StatusCode, Is.EqualTo(401), "the signed-out cookie no longer works");
        }
    }

    /// <summary>
    /// A request of an ended session that answers late (401) must not sign out the session that replaced it:
    /// under load this sent a member who had signed out and in again back to the sign-in form.
    /// </summary>
    [Test]
    public async Task ALate401_FromASignedOutSession_DoesNotEndTheNewSession()
    {
        await SignIn();
        IRoute? held = null;
        var hold = true;
        var caught = new TaskCompletionSource();
        await Page.RouteAsync("**/v1/metrics/**", async route =>
        {
            if (hold && held is null)
            {
                held = route;
                caught.TrySetResult();
                return;
            }
            await route.ContinueAsync();
        });
        await Page.EvaluateAsync("() => { location.hash = '#/segments'; }");
        await caught.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Page.ClickAsync("#sign-out");
        await Page.Locator("#signin:not([hidden])").WaitForAsync();
        hold = false;
        await Page.FillAsync("#signin-email", DemoWorkspace.Owner.Email);
        await Page.FillAsync("#signin-password", DemoWorkspace.Owner.Password);
        await Page.ClickAsync("#signin-form button[type=submit]");
        await Page.WaitForFunctionAsync("() => { const v = document.getElementById('view'); return !v.hasAttribute('aria-busy') && !!v.dataset.ready; }");

        var late = Page.WaitForResponseAsync(r => r.Status == 401);
        await held!.FulfillAsync(new()
        {
            Status = 401,
            ContentType = "application/problem+json",
            Body = """{"type":"about:blank","title":"Unauthorized","status":401,"detail":"The session ended."}""",
        });
        await late;
        await Page.EvaluateAsync("() => new Promise(resolve => setTimeout(resolve, 300))");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.IsVisibleAsync("#workspace-app"), Is.True, "the new session stays signed in");
            Assert.That(await Page.IsVisibleAsync("#signin"), Is.False);
        }
    }
}
