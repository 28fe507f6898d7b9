using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Playwright;
using Pulse.Api.Dashboard;
using Pulse.Api.Surveys;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Dashboard;

/// <summary>
/// The result views per question kind, in Chromium against the real API on the seeded demo (which
/// has a CSAT and a CES survey, <see cref="DemoKinds"/>): choosing a survey shows its kind's metric
/// with its label, format, categories, interval and low-sample flag, the numbers equal a computation
/// from the raw answers in the database with no code of Pulse's; Segments shows the top reasons among
/// detractors by a trait; the survey editor chooses the kind and shows the API's messages; axe is
/// clean and nothing scrolls sideways at 320 px.
/// </summary>
public sealed class DashboardKindsBrowserTests : DashboardPage
{
    protected override int Responses => 1500;

    string SurveyOf(string name)
    {
        using var c = App.Db.Open();
        return c.ExecuteScalar<string>("SELECT id FROM surveys WHERE workspace_id = @Ws AND name = @Name", new { Ws = DemoWorkspace.Id, Name = name })!;
    }

    /// <summary>The scores of a survey's answers in the page's range (whole UTC days, as the API reads from/to), optionally for one plan.</summary>
    List<int> Scores(string surveyId, string from, string to, string? plan = null)
    {
        var start = DateTimeOffset.Parse(from + "T00:00:00Z", CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        var end = DateTimeOffset.Parse(to + "T00:00:00Z", CultureInfo.InvariantCulture).AddDays(1).ToUnixTimeMilliseconds();
        using var c = App.Db.Open();
        return c.Query<int>("""
            SELECT r.score FROM responses r JOIN displays d ON d.id = r.display_id
            WHERE r.survey_id = @SurveyId AND r.created_at >= @Start AND r.created_at < @End
              AND (@Plan IS NULL OR json_extract(d.traits, '$.plan') = @Plan)
            """, new { SurveyId = surveyId, Start = start, End = end, Plan = plan }).ToList();
    }

    static double Round(double v, int digits) => Math.Round(v, digits, MidpointRounding.AwayFromZero);

    /// <summary>% of answers at or above <paramref name="positiveFrom"/> and its 95 % margin, in points, to 0.1.</summary>
    static (string Value, string Margin) Share(IReadOnlyList<int> scores, int positiveFrom)
    {
        var p = scores.Count(s => s >= positiveFrom) / (double)scores.Count;
        return ($"{Round(100 * p, 1).ToString("0.0", Inv)}%", "±" + Round(1.96 * 100 * Math.Sqrt(p * (1 - p) / scores.Count), 1).ToString("0.0", Inv));
    }

    /// <summary>The mean score and its 95 % margin 1.96 · s/√n (sample standard deviation), to 0.01.</summary>
    static (string Value, string Margin) Mean(IReadOnlyList<int> scores)
    {
        var mean = scores.Average();
        var s = Math.Sqrt(scores.Sum(x => (x - mean) * (x - mean)) / (scores.Count - 1));
        return (Round(mean, 2).ToString("0.00", Inv), "±" + Round(1.96 * s / Math.Sqrt(scores.Count), 2).ToString("0.00", Inv));
    }

    async Task ChooseSurvey(string surveyId, IPage? page = null)
    {
        page ??= Page;
        var view = await page.Locator("#view").GetAttributeAsync("data-view") ?? "overview";
        await AndRender(view, () => page.SelectOptionAsync("#filter-survey", surveyId), page);
    }

    async Task<string> Text(string selector) => (await Page.TextContentAsync(selector))!.Trim();

    [Test]
    public async Task Overview_CsatSurvey_ShowsPercentSatisfied_ItsCategoriesAndScale_AsTheRawAnswersGive()
    {
        await SignIn();
        var csat = SurveyOf(DemoKinds.CsatName);
        await ChooseSurvey(csat);
        var from = await Page.InputValueAsync("#filter-from");
        var to = await Page.InputValueAsync("#filter-to");
        var scores = Scores(csat, from, to);
        var (value, margin) = Share(scores, 4);
        var api = await Get($"/v1/metrics/csat?surveyId={csat}&{await Range()}&interval=month");
        var points = api.GetProperty("series").EnumerateArray().Count(p => p.GetProperty("score").ValueKind != JsonValueKind.Null);
        var legend = await Page.Locator(".split .legend li").AllTextContentsAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(scores, Has.Count.GreaterThan(30), "the demo's CSAT survey has answers in the range");
            Assert.That(await Text("[data-kpi=csat] dt"), Is.EqualTo("CSAT (% satisfied)"));
            Assert.That(await Text("[data-kpi=csat] .kpi-value"), Is.EqualTo(value));
            Assert.That(await Text("[data-kpi=csat] .kpi-note"), Does.StartWith(margin));
            Assert.That(await KpiValue("responses"), Is.EqualTo(scores.Count.ToString(Inv)));
            Assert.That(await Page.Locator("[data-kpi=nps]").CountAsync(), Is.Zero, "no NPS on a CSAT survey");
            Assert.That(await Text("[data-kpi=split] dt"), Is.EqualTo("Dissatisfied · neutral · satisfied"));
            Assert.That(legend, Has.Count.EqualTo(3));
            Assert.That(legend[0], Does.StartWith("Dissatisfied").And.EndWith($"({scores.Count(s => s <= 2):N0})"));
            Assert.That(legend[2], Does.StartWith("Satisfied").And.EndWith($"({scores.Count(s => s >= 4):N0})"));
            Assert.That(await Text("#trend-title"), Is.EqualTo("CSAT over time"));
            Assert.That(await Page.Locator(".trend .point").CountAsync(), Is.EqualTo(points));
            Assert.That(await Page.Locator(".trend .tick:not(.x-tick)").AllTextContentsAsync(), Has.All.Match(@"^\d+$"), "a 0–100 axis, no negative ticks");
            Assert.That(await Page.Locator(".distribution .bar").CountAsync(), Is.EqualTo(5), "the 1–5 scale");
            Assert.That(await Page.Locator(".distribution .bar.c-promoter").CountAsync(), Is.EqualTo(2), "4 and 5 are satisfied");
            Assert.That(await Text("#reasons-title"), Is.EqualTo("Top reasons among dissatisfied answers"));
            Assert.That(await Page.Locator(".target-line").CountAsync(), Is.Zero, "the NPS target is not drawn on CSAT");
        }
        await AssertAxeClean(Page, "overview of a CSAT survey");
        await Shot("overview-csat");
    }

    [Test]
    public async Task Overview_CesSurvey_ShowsTheMeanAndPercentEasy_AsTheRawAnswersGive()
    {
        await SignIn();
        var ces = SurveyOf(DemoKinds.CesName);
        await ChooseSurvey(ces);
        var scores = Scores(ces, await Page.InputValueAsync("#filter-from"), await Page.InputValueAsync("#filter-to"));
        var (mean, meanMargin) = Mean(scores);
        var (easy, easyMargin) = Share(scores, 5);
        var ticks = await Page.Locator(".trend .tick:not(.x-tick)").AllTextContentsAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(scores, Has.Count.GreaterThan(30), "the demo's CES survey has answers in the range");
            Assert.That(await Text("[data-kpi=ces] dt"), Is.EqualTo("CES (mean score, 1–7)"));
            Assert.That(await Text("[data-kpi=ces] .kpi-value"), Is.EqualTo(mean));
            Assert.That(await Text("[data-kpi=ces] .kpi-note"), Does.StartWith(meanMargin));
            Assert.That(await Text("[data-kpi=percentPositive] .kpi-value"), Is.EqualTo(easy));
            Assert.That(await Text("[data-kpi=percentPositive] .kpi-note"), Does.StartWith(easyMargin));
            Assert.That(await Text("[data-kpi=split] dt"), Is.EqualTo("Difficult · neutral · easy"));
            Assert.That(await Page.Locator(".distribution .bar").CountAsync(), Is.EqualTo(7), "the 1–7 scale");
            Assert.That(await Page.Locator(".distribution .bar.c-detractor").CountAsync(), Is.EqualTo(3), "1–3 are difficult");
            Assert.That(ticks, Has.All.Match(@"^\d\.\d$"));
            Assert.That(ticks.Select(t => double.Parse(t, Inv)), Has.All.InRange(1.0, 7.0), "the axis stays on the 1–7 scale");
        }
        await AssertAxeClean(Page, "overview of a CES survey");
    }

    [TestCase("csat")]
    [TestCase("ces")]
    public async Task Segments_ByPlan_ShowTheKindsMetricPerPlan_AsTheRawAnswersGive(string kind)
    {
        await SignIn("segments");
        var survey = SurveyOf(kind == "csat" ? DemoKinds.CsatName : DemoKinds.CesName);
        await ChooseSurvey(survey);
        var from = await Page.InputValueAsync("#filter-from");
        var to = await Page.InputValueAsync("#filter-to");
        var rows = Page.Locator("#segments-table tbody tr");
        var count = await rows.CountAsync();
        var header = await Page.Locator("#segments-table thead th").AllTextContentsAsync();
        Assert.That(count, Is.GreaterThanOrEqualTo(3), "the demo's plans");
        for (var i = 0; i < count; i++)
        {
            var cells = await rows.Nth(i).Locator("th, td").AllTextContentsAsync();
            var scores = Scores(survey, from, to, cells[0]);
            var (value, margin) = kind == "csat" ? Share(scores, 4) : Mean(scores);
            var low = scores.Count < 30;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(cells[1], Is.EqualTo(value), $"{kind} of {cells[0]}");
                Assert.That(cells[2], Is.EqualTo(margin), $"margin of {cells[0]}");
                Assert.That(cells[3], Is.EqualTo(scores.Count.ToString("N0", Inv)));
                Assert.That(cells[5].Contains("Low sample", StringComparison.Ordinal), Is.EqualTo(low), $"low-sample flag of {cells[0]}");
            }
        }
        using (Assert.EnterMultipleScope())
        {
            Assert.That(header[1], Is.EqualTo(kind.ToUpperInvariant()));
            Assert.That(await Text("#segments-title"), Is.EqualTo($"{kind.ToUpperInvariant()} by Plan"));
            Assert.That(await Page.Locator(".segments .bar").CountAsync(), Is.EqualTo(count));
        }
        await AssertAxeClean(Page, $"segments of a {kind} survey");
    }

    [Test]
    public async Task Segments_TopReasonsAmongDetractorsByPlan_WithCountsSharesAndChange_EqualTheReasonsApi()
    {
        await SignIn("segments");
        var range = await Range();
        var api = await Get($"/v1/metrics/reasons?{range}&category=detractor&groupBy=plan");
        var groups = api.GetProperty("groups").EnumerateArray().Where(g => g.GetProperty("respondents").GetInt64() > 0).ToList();
        var rows = Page.Locator("#segment-reasons tbody tr");

        Assert.That(groups, Is.Not.Empty, "the demo's detractors choose reasons");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Text("#segment-reasons-title"), Is.EqualTo("Top reasons among detractors, by Plan"));
            Assert.That(await rows.CountAsync(), Is.EqualTo(groups.Count));
            for (var i = 0; i < groups.Count; i++)
            {
                var row = rows.Nth(i);
                Assert.That(await row.GetAttributeAsync("data-value"), Is.EqualTo(groups[i].GetProperty("value").GetString()));
                Assert.That(await row.Locator("td").First.TextContentAsync(), Is.EqualTo(groups[i].GetProperty("respondents").GetInt64().ToString("N0", Inv)));
                var reasons = groups[i].GetProperty("reasons").EnumerateArray().Take(3).ToList();
                var cells = row.Locator("td[data-reason]");
                Assert.That(await cells.CountAsync(), Is.EqualTo(reasons.Count));
                for (var j = 0; j < reasons.Count; j++)
                {
                    var r = reasons[j];
                    var change = r.GetProperty("change");
                    var expected = $"{r.GetProperty("label").GetString()} {r.GetProperty("count").GetInt64():N0} · {r.GetProperty("share").GetDouble().ToString("0.0", Inv)}% ("
                        + (change.ValueKind == JsonValueKind.Null ? "new" : Delta(change.GetDouble()) + " pts") + ")";
                    Assert.That(await cells.Nth(j).GetAttributeAsync("data-reason"), Is.EqualTo(r.GetProperty("id").GetString()));
                    Assert.That(await cells.Nth(j).TextContentAsync(), Is.EqualTo(expected));
                }
            }
        }

        // Another trait regroups the reasons.
        await AndRender("segments", () => Page.SelectOptionAsync("#segment-trait", "role"));
        var byRole = await Get($"/v1/metrics/reasons?{range}&category=detractor&groupBy=role");
        Assert.That(await rows.CountAsync(), Is.EqualTo(byRole.GetProperty("groups").EnumerateArray().Count(g => g.GetProperty("respondents").GetInt64() > 0)));
        await AssertAxeClean(Page, "segments with reasons");
    }

    /// <summary>A change in points as the dashboard writes it: "+5.3", "−2.0".</summary>
    static string Delta(double v)
    {
        var text = Nps(JsonSerializer.SerializeToElement(v));
        return v > 0 && text != "0.0" ? "+" + text : text;
    }

    [Test]
    public async Task SurveyEditor_ChoosesTheKind_ItsLabelsFollow_TheApisMessagesShow_AndTheKindIsFixedAfterwards()
    {
        await SignIn("surveys");
        await Go("#/surveys?edit=new");
        var before = (await Get("/v1/surveys")).GetProperty("items").GetArrayLength();
        var kind = Page.Locator("select[data-field=kind]");
        await kind.SelectOptionAsync("csat");
        await Page.FillAsync("input[data-field=name]", "After support (CSAT)");
        // A custom locale needs every text of its kind: the API names the missing ones.
        await Page.FillAsync(".locales + .inline-form input", "sw");
        await Page.ClickAsync("button:text('Add locale')");
        await Page.FillAsync("textarea[data-field='texts.sw.question']", "Je, umeridhika kiasi gani na {product}?");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.Locator("label[for]").AllTextContentsAsync(), Does.Contain("Label under 1").And.Contain("Label under 5")
                .And.Contain("Follow-up for satisfied (4–5)").And.Contain("Follow-up for dissatisfied (1–2)").And.Not.Contain("Label under 10"));
            Assert.That(await Page.Locator("textarea[data-field='reasons.byCategory.dissatisfied']").CountAsync(), Is.EqualTo(1), "the reasons lists are CSAT's categories");
            Assert.That(await Page.Locator("textarea[data-field='reasons.byCategory.detractor']").CountAsync(), Is.Zero);
        }
        await Page.ClickAsync("form.survey-form button[type=submit]");
        var summary = Page.Locator(".error-summary:not([hidden])");
        await summary.WaitForAsync();
        var shown = await summary.InnerTextAsync();
        var fieldError = await Page.Locator(".field.invalid .error").AllTextContentsAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(shown, Does.Contain("Nothing was saved").Or.Contain("not created"));
            Assert.That(shown, Does.Contain("followUp.satisfied").Or.Contain("satisfied"), "the API names the CSAT texts the locale lacks");
            Assert.That(fieldError, Is.Not.Empty, "the message stands next to a field");
            Assert.That((await Get("/v1/surveys")).GetProperty("items").GetArrayLength(), Is.EqualTo(before), "nothing was created");
        }

        // Without the incomplete locale it is created as CSAT.
        await Page.ClickAsync("button:text('Remove sw')");
        await AndRender("surveys", () => Page.ClickAsync("form.survey-form button[type=submit]"));
        var created = (await Get("/v1/surveys")).GetProperty("items").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "After support (CSAT)");
        Assert.That(created.GetProperty("kind").GetString(), Is.EqualTo("csat"));

        // Editing it: the kind is shown and cannot be changed.
        await Go($"#/surveys?edit={created.GetProperty("id").GetString()}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await kind.InputValueAsync(), Is.EqualTo("csat"));
            Assert.That(await kind.IsDisabledAsync(), Is.True);
        }
        await AssertAxeClean(Page, "survey editor of a CSAT survey");
    }

    [Test]
    public async Task Comments_OfACsatSurvey_FilterByItsCategories_AndNameEachAnswersOwnCategory()
    {
        await SignIn("comments");
        var csat = SurveyOf(DemoKinds.CsatName);
        await ChooseSurvey(csat);
        var options = await Page.Locator("#comments-category option").AllTextContentsAsync();
        await AndRender("comments", () => Page.SelectOptionAsync("#comments-category", "dissatisfied"));
        var labels = await Page.Locator("li.comment article").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('aria-label'))");
        var api = await Get($"/v1/responses?surveyId={csat}&{await Range()}&category=dissatisfied&limit=25");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options, Is.EqualTo(new[] { "All categories", "Satisfied only", "Neutral only", "Dissatisfied only" }));
            Assert.That(labels, Has.Length.EqualTo(api.GetProperty("items").GetArrayLength()).And.Length.Positive);
            Assert.That(labels, Has.All.StartWith("dissatisfied score "), "a CSAT answer is named by its own category, not NPS's");
        }

        // To the CES survey: "dissatisfied" is not a CES category, so the filter goes (CES answers are listed, not none).
        var ces = SurveyOf(DemoKinds.CesName);
        await ChooseSurvey(ces);
        var cesLabels = await Page.Locator("li.comment article").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('aria-label'))");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Page.InputValueAsync("#comments-category"), Is.Empty);
            Assert.That(Page.Url, Does.Not.Contain("category=dissatisfied"));
            Assert.That(cesLabels, Is.Not.Empty);
            Assert.That(cesLabels.Select(l => l.Split(' ')[0]).Distinct(), Is.SubsetOf(new[] { "difficult", "neutral", "easy" }));
        }
    }

    [Test]
    public async Task Phone320_CsatAndCesViews_Reflow_AndPassAxe()
    {
        var page = await OpenAsync(new() { ViewportSize = new() { Width = 320, Height = 780 }, IsMobile = true, HasTouch = true });
        await SignIn("overview", page);
        foreach (var name in new[] { DemoKinds.CsatName, DemoKinds.CesName })
        {
            foreach (var view in new[] { "overview", "segments" })
            {
                await Go($"#/{view}?survey={SurveyOf(name)}", page);
                Assert.That(await Overflow(page), Is.LessThanOrEqualTo(0), $"{view} of {name}");
                await AssertAxeClean(page, $"{view} of {name} at 320 px");
            }
        }
    }
}
