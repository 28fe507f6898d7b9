using System.Text.Json;
using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Surveys;

/// <summary>The question kinds nps, csat, ces and enps end to end through the API (issue 17): surveys, answers, metrics, CSV.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class QuestionKindsApiTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";
    static readonly DateTimeOffset Now = PulseFactory.DefaultNow;

    PulseFactory _app = null!;

    [SetUp]
    public void Start() => _app = new PulseFactory(provider: provider);

    [TearDown]
    public void Stop() => _app.Dispose();

    sealed record Asking(CreatedWorkspace Workspace, HttpClient Server, string SurveyId);

    /// <summary>A workspace whose one active survey is a new survey of <paramref name="kind"/>.</summary>
    async Task<Asking> WorkspaceAsking(string kind)
    {
        var ws = _app.CreateWorkspace("Acme", [Origin]);
        var server = _app.SecretClient(ws.SecretKey);
        var first = DefaultSurveyId(_app.Db, ws.WorkspaceId);
        if (kind == "nps")
            return new Asking(ws, server, first);
        Assert.That((int)(await server.PutAsync($"/v1/surveys/{first}", Json.Body("""{ "active": false }"""))).StatusCode, Is.EqualTo(200));
        var created = await server.PostAsync("/v1/surveys", Json.Body($$"""{ "name": "Our {{kind}}", "kind": "{{kind}}" }"""));
        var body = await created.Content.ReadAsStringAsync();
        Assert.That((int)created.StatusCode, Is.EqualTo(201), body);
        return new Asking(ws, server, JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!);
    }

    /// <summary>Shows the survey to a user (with a plan trait) and posts the score; the status of the post.</summary>
    async Task<(int Status, string Body)> Answer(Asking asking, string user, int score, string plan = "pro")
    {
        var shown = await asking.Server.CheckUser(User(user, Now, new { plan }));
        Assert.That(shown.Eligible, Is.True, shown.Reason);
        using var browser = _app.BrowserClient(Origin);
        var post = await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = shown.DisplayToken, score, siteKey = asking.Workspace.SiteKey }));
        return ((int)post.StatusCode, await post.Content.ReadAsStringAsync());
    }

    (long Count, string? Category) Stored(string workspaceId, string user)
    {
        using var c = _app.Db.Open();
        return c.QuerySingle<(long, string?)>("SELECT COUNT(*), MAX(category) FROM responses WHERE workspace_id = @workspaceId AND user_id = @user",
            new { workspaceId, user });
    }

    [TestCase("csat", 1, "dissatisfied")]
    [TestCase("csat", 2, "dissatisfied")]
    [TestCase("csat", 3, "neutral")]
    [TestCase("csat", 4, "satisfied")]
    [TestCase("csat", 5, "satisfied")]
    [TestCase("ces", 1, "difficult")]
    [TestCase("ces", 3, "difficult")]
    [TestCase("ces", 4, "neutral")]
    [TestCase("ces", 5, "easy")]
    [TestCase("ces", 7, "easy")]
    [TestCase("enps", 0, "detractor")]
    [TestCase("enps", 6, "detractor")]
    [TestCase("enps", 7, "passive")]
    [TestCase("enps", 8, "passive")]
    [TestCase("enps", 9, "promoter")]
    [TestCase("nps", 10, "promoter")]
    public async Task Answer_IsStoredInTheKindsCategory(string kind, int score, string category)
    {
        var asking = await WorkspaceAsking(kind);
        var (status, body) = await Answer(asking, "u-1", score);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(201), body);
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("category").GetString(), Is.EqualTo(category));
            Assert.That(Stored(asking.Workspace.WorkspaceId, "u-1"), Is.EqualTo((1L, category)));
        }
    }

    [TestCase("csat", 0, "1 to 5")]
    [TestCase("csat", 6, "1 to 5")]
    [TestCase("ces", 0, "1 to 7")]
    [TestCase("ces", 8, "1 to 7")]
    [TestCase("enps", 11, "0 to 10")]
    public async Task Answer_OutsideTheKindsScale_Is400NamingTheRange_AndStoresNothing(string kind, int score, string range)
    {
        var asking = await WorkspaceAsking(kind);
        var (status, body) = await Answer(asking, "u-1", score);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(400), body);
            Assert.That(body, Does.Contain("\"score\"").And.Contain(range));
            Assert.That(Stored(asking.Workspace.WorkspaceId, "u-1").Count, Is.Zero);
        }
    }

    [TestCase("csat", 1, 5, "How satisfied are you with Acme?", "Very dissatisfied", "dissatisfied")]
    [TestCase("ces", 1, 7, "How easy is it to use Acme?", "Very difficult", "difficult")]
    [TestCase("enps", 0, 10, "How likely are you to recommend our company as a place to work?", "Not at all likely", "detractor")]
    public async Task Eligibility_SendsTheKindsScaleAndTexts(string kind, int min, int max, string question, string low, string negative)
    {
        var asking = await WorkspaceAsking(kind);
        var shown = await asking.Server.CheckUser(User("u-1", Now), locale: "en-GB");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(shown.Survey!.Kind, Is.EqualTo(kind));
            Assert.That((shown.Survey.Scale.Min, shown.Survey.Scale.Max), Is.EqualTo((min, max)));
            Assert.That(shown.Survey.Scale.Categories.Select(c => c.Name).First(), Is.EqualTo(negative));
            Assert.That(shown.Survey.Texts.Question, Is.EqualTo(question));
            Assert.That(shown.Survey.Texts.Low, Is.EqualTo(low));
            Assert.That(shown.Survey.Texts.FollowUp.Of(negative), Is.Not.Null);
            Assert.That(shown.Survey.Texts.FollowUp.Of(kind == "enps" ? "satisfied" : "promoter"), Is.Null, "only the kind's own follow-ups");
        }
    }

    [Test]
    public async Task Kind_IsFixedAfterCreation_AndUnknownKindsAreRefused()
    {
        var asking = await WorkspaceAsking("csat");
        var put = await asking.Server.PutAsync($"/v1/surveys/{asking.SurveyId}", Json.Body("""{ "kind": "nps" }"""));
        var same = await asking.Server.PutAsync($"/v1/surveys/{asking.SurveyId}", Json.Body("""{ "kind": "csat", "priority": 2 }"""));
        var unknown = await asking.Server.PostAsync("/v1/surveys", Json.Body("""{ "name": "x", "kind": "likert" }"""));
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)put.StatusCode, Is.EqualTo(400));
            Assert.That(await put.Content.ReadAsStringAsync(), Does.Contain("\"kind\"").And.Contain("Create a new survey"));
            Assert.That((int)same.StatusCode, Is.EqualTo(200), "sending back the kind it has is fine");
            Assert.That((int)unknown.StatusCode, Is.EqualTo(400));
            Assert.That(await unknown.Content.ReadAsStringAsync(), Does.Contain("nps, csat, ces, enps"));
        }
    }

    [Test]
    public async Task Texts_FollowTheKindsCategories_AndACustomLocaleNeedsThem()
    {
        var asking = await WorkspaceAsking("csat");
        var wrong = await asking.Server.PutAsync($"/v1/surveys/{asking.SurveyId}",
            Json.Body("""{ "texts": { "en": { "followUp": { "detractor": "Why?" } } } }"""));
        var custom = await asking.Server.PutAsync($"/v1/surveys/{asking.SurveyId}",
            Json.Body("""
                { "texts": { "sw": { "question": "q", "low": "l", "high": "h", "followUp": { "promoter": "a", "passive": "b", "detractor": "c" },
                  "placeholder": "p", "submit": "s", "dismiss": "d", "thanks": "t", "optOut": "o" } } }
                """));
        var right = await asking.Server.PutAsync($"/v1/surveys/{asking.SurveyId}",
            Json.Body("""{ "texts": { "en": { "followUp": { "dissatisfied": "What went wrong?" } } } }"""));
        var customBody = await custom.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)wrong.StatusCode, Is.EqualTo(400));
            Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("texts.en.followUp.detractor"));
            Assert.That((int)custom.StatusCode, Is.EqualTo(400));
            Assert.That(customBody, Does.Contain("followUp.satisfied").And.Contain("followUp.neutral").And.Contain("followUp.dissatisfied"));
            Assert.That((int)right.StatusCode, Is.EqualTo(200), await right.Content.ReadAsStringAsync());
        }
        var shown = await asking.Server.CheckUser(User("u-1", Now));
        Assert.That(shown.Survey!.Texts.FollowUp.Dissatisfied, Is.EqualTo("What went wrong?"));
    }

    static readonly (string User, int Score, string Plan)[] CsatAnswers =
        [("a", 5, "pro"), ("b", 4, "pro"), ("c", 4, "free"), ("d", 3, "free"), ("e", 2, "pro"), ("f", 1, "free"), ("g", 5, "free")];

    static readonly (string User, int Score, string Plan)[] CesAnswers =
        [("a", 7, "pro"), ("b", 6, "pro"), ("c", 5, "free"), ("d", 4, "free"), ("e", 3, "pro"), ("f", 2, "free"), ("g", 7, "free"), ("h", 1, "pro")];

    static double Round(double value, int digits) => Math.Round(value, digits, MidpointRounding.AwayFromZero);

    /// <summary>% in the positive category and its 95 % margin, computed here from the raw scores.</summary>
    static (double Percent, double Margin) Share(IReadOnlyList<int> scores, Func<int, bool> positive)
    {
        var p = scores.Count(positive) / (double)scores.Count;
        return (Round(100 * p, 1), Round(1.96 * 100 * Math.Sqrt(p * (1 - p) / scores.Count), 1));
    }

    /// <summary>From the aggregates (groups by plan), and from raw rows (a filter on plan with groups by locale).</summary>
    [TestCase(true)]
    [TestCase(false)]
    public async Task CsatMetrics_PercentSatisfied_WithMargin_SeriesAndGroups(bool noRaw)
    {
        var asking = await WorkspaceAsking("csat");
        foreach (var (user, score, plan) in CsatAnswers)
            Assert.That((await Answer(asking, user, score, plan)).Status, Is.EqualTo(201));
        var report = await (await asking.Server.GetAsync("/v1/metrics/csat?from=2026-03-01&to=2026-03-03&interval=day"
            + (noRaw ? "&groupBy=plan" : "&where[plan]=pro&groupBy=locale"))).ReadJson<KindReport>();

        var all = CsatAnswers.Where(a => noRaw || a.Plan == "pro").Select(a => a.Score).ToList();
        var (percent, margin) = Share(all, s => s >= 4);
        var pro = Share(CsatAnswers.Where(a => a.Plan == "pro").Select(a => a.Score).ToList(), s => s >= 4);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.Kind, Is.EqualTo("csat"));
            Assert.That((report.Score, report.MarginOfError), Is.EqualTo(((double?)percent, (double?)margin)));
            Assert.That(report.PercentPositive, Is.EqualTo(percent));
            Assert.That(report.Categories, Is.EqualTo(new Dictionary<string, long>
            {
                ["dissatisfied"] = all.Count(s => s <= 2), ["neutral"] = all.Count(s => s == 3), ["satisfied"] = all.Count(s => s >= 4),
            }));
            Assert.That((report.Responses, report.LowSample), Is.EqualTo(((long)all.Count, true)));
            Assert.That(report.Series!.Single(p => p.Start.StartsWith("2026-03-02", StringComparison.Ordinal)).Score, Is.EqualTo(percent));
            Assert.That(report.Groups!.Single(g => g.Value == (noRaw ? "pro" : "en")).Score, Is.EqualTo(pro.Percent));
        }
    }

    [Test]
    public async Task CesMetrics_MeanAndPercentEasy_EachWithTheirMargin_ByPlan()
    {
        var asking = await WorkspaceAsking("ces");
        foreach (var (user, score, plan) in CesAnswers)
            Assert.That((await Answer(asking, user, score, plan)).Status, Is.EqualTo(201));
        var report = await (await asking.Server.GetAsync("/v1/metrics/ces?from=2026-03-01&to=2026-03-03&groupBy=plan")).ReadJson<KindReport>();

        // The mean and its margin from the raw scores: sample standard deviation over n − 1.
        var scores = CesAnswers.Select(a => (double)a.Score).ToList();
        var mean = scores.Average();
        var sd = Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / (scores.Count - 1));
        var easy = Share(CesAnswers.Select(a => a.Score).ToList(), s => s >= 5);
        var free = CesAnswers.Where(a => a.Plan == "free").Select(a => (double)a.Score).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.Kind, Is.EqualTo("ces"));
            Assert.That(report.Score, Is.EqualTo(Round(mean, 2)));
            Assert.That(report.MarginOfError, Is.EqualTo(Round(1.96 * sd / Math.Sqrt(scores.Count), 2)));
            Assert.That((report.PercentPositive, report.PercentPositiveMarginOfError), Is.EqualTo(((double?)easy.Percent, (double?)easy.Margin)));
            Assert.That(report.Categories["easy"], Is.EqualTo(4));
            Assert.That(report.Categories["difficult"], Is.EqualTo(3));
            Assert.That(report.Groups!.Single(g => g.Value == "free").Score, Is.EqualTo(Round(free.Average(), 2)));
        }
    }

    [Test]
    public async Task Metrics_ReadOnlyTheirKind_AndRefuseASurveyOfAnother()
    {
        var asking = await WorkspaceAsking("csat");
        foreach (var (user, score, plan) in CsatAnswers)
            await Answer(asking, user, score, plan);

        var nps = await (await asking.Server.GetAsync("/v1/metrics/nps?from=2026-03-01&to=2026-03-03")).ReadJson<NpsReport>();
        var enps = await (await asking.Server.GetAsync("/v1/metrics/enps?from=2026-03-01&to=2026-03-03")).ReadJson<NpsReport>();
        var wrong = await asking.Server.GetAsync($"/v1/metrics/nps?surveyId={asking.SurveyId}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(nps.Responses, Is.Zero, "CSAT answers are not NPS answers");
            Assert.That(enps.Responses, Is.Zero);
            Assert.That((int)wrong.StatusCode, Is.EqualTo(400));
            Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("surveyId").And.Contain("/v1/metrics/csat"));
        }
    }

    [Test]
    public async Task EnpsMetrics_AreReportedLikeNps()
    {
        var asking = await WorkspaceAsking("enps");
        int[] scores = [10, 9, 8, 7, 6, 0, 10, 3];
        for (var i = 0; i < scores.Length; i++)
            await Answer(asking, $"e-{i}", scores[i]);
        var report = await (await asking.Server.GetAsync("/v1/metrics/enps?from=2026-03-01&to=2026-03-03")).ReadJson<NpsReport>();
        var (p, d) = (scores.Count(s => s >= 9) / (double)scores.Length, scores.Count(s => s <= 6) / (double)scores.Length);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.Nps, Is.EqualTo(Round(100 * (p - d), 1)));
            Assert.That(report.MarginOfError, Is.EqualTo(Round(1.96 * 100 * Math.Sqrt((p + d - (p - d) * (p - d)) / scores.Length), 1)));
            Assert.That((report.Promoters, report.Passives, report.Detractors), Is.EqualTo((3L, 2L, 3L)));
        }
    }

    [Test]
    public async Task CsvExport_HasTheKindOfEachAnswer_AndTheListFiltersByTheKindsCategories()
    {
        var asking = await WorkspaceAsking("ces");
        await Answer(asking, "u-1", 2);
        await Answer(asking, "u-2", 6);
        var csv = await asking.Server.GetStringAsync("/v1/responses.csv");
        var list = await (await asking.Server.GetAsync("/v1/responses?category=difficult")).ReadJson<ResponsePage>();
        var bad = await asking.Server.GetAsync("/v1/responses?category=grumpy");
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(lines[0], Does.StartWith("id,surveyId,kind,"));
            Assert.That(lines.Skip(1).Select(l => l.Split(',')[2]), Is.All.EqualTo("ces"));
            Assert.That(list.Items.Select(i => (i.Score, i.Category)), Is.EqualTo(new[] { (2, "difficult") }));
            Assert.That((int)bad.StatusCode, Is.EqualTo(400));
        }
    }

    [Test]
    public async Task ChangedAnswer_MovesItsCountAndScoreInTheAggregates()
    {
        var asking = await WorkspaceAsking("ces");
        var shown = await asking.Server.CheckUser(User("u-1", Now));
        using var browser = _app.BrowserClient(Origin);
        await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = shown.DisplayToken, score = 2 }));
        await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = shown.DisplayToken, score = 6 }));
        var report = await (await asking.Server.GetAsync("/v1/metrics/ces?from=2026-03-01&to=2026-03-03")).ReadJson<KindReport>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.Score, Is.EqualTo(6));
            Assert.That(report.Categories, Is.EqualTo(new Dictionary<string, long> { ["difficult"] = 0, ["neutral"] = 0, ["easy"] = 1 }));
        }
    }
}
