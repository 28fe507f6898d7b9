using System.Text.Json;
using Dapper;
using Pulse.Api.Eligibility;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Surveys;

/// <summary>The reasons question end to end: the survey's config, the eligibility payload, answers, reads and analytics (issue 17).</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class ReasonsApiTests(StorageProvider provider)
{
    PulseFactory _app = null!;

    [SetUp]
    public void Start() => _app = new PulseFactory(provider: provider);

    [TearDown]
    public void Stop() => _app.Dispose();

    const string Reasons = """
        { "reasons": {
            "multiple": true, "other": true,
            "options": [ { "id": "support", "label": "Support" } ],
            "byCategory": {
              "detractor": [ { "id": "price", "label": "Too expensive", "labels": { "de": "Zu teuer" } },
                             { "id": "slow", "label": "Slow" },
                             { "id": "missing", "label": "Missing features" } ],
              "passive": [] } } }
        """;

    (CreatedWorkspace Workspace, HttpClient Server, string SurveyId) Workspace(string reasons = Reasons)
    {
        var ws = _app.CreateWorkspace("Acme", ["https://app.acme.test"]);
        var server = _app.SecretClient(ws.SecretKey);
        var surveyId = DefaultSurveyId(_app.Db, ws.WorkspaceId);
        var put = server.PutAsync($"/v1/surveys/{surveyId}", Json.Body(reasons)).GetAwaiter().GetResult();
        Assert.That((int)put.StatusCode, Is.EqualTo(200), put.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        return (ws, server, surveyId);
    }

    async Task<string> Shown(HttpClient server, string userId, object? traits = null, string? locale = null)
    {
        var answer = await server.CheckUser(User(userId, _app.Time.GetUtcNow(), traits), locale: locale);
        Assert.That(answer.Eligible, Is.True, answer.Reason);
        return answer.DisplayToken!;
    }

    static Task<HttpResponseMessage> Answer(HttpClient client, string token, int score, string[]? reasons = null, string? other = null) =>
        client.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score, reasons, reasonOther = other }));

    long ReasonRows()
    {
        using var c = _app.Db.Open();
        return c.ExecuteScalar<long>("SELECT count(*) FROM response_reasons");
    }

    [Test]
    public async Task Survey_Reasons_AreStored_AndReturned()
    {
        var (_, server, surveyId) = Workspace();

        var survey = await (await server.GetAsync($"/v1/surveys/{surveyId}")).ReadJson<JsonElement>();
        var reasons = survey.GetProperty("reasons");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reasons.GetProperty("multiple").GetBoolean(), Is.True);
            Assert.That(reasons.GetProperty("other").GetBoolean(), Is.True);
            Assert.That(reasons.GetProperty("byCategory").GetProperty("detractor").GetArrayLength(), Is.EqualTo(3));
            Assert.That(reasons.GetProperty("byCategory").GetProperty("detractor")[0].GetProperty("labels").GetProperty("de").GetString(), Is.EqualTo("Zu teuer"));
        }
        var cleared = await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body("""{ "reasons": null }"""));
        var after = await cleared.ReadJson<JsonElement>();
        Assert.That(after.GetProperty("reasons").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [TestCase("""{ "options": [ { "id": "a", "label": "A" } ], "byCategory": { "satisfied": [] } }""", "reasons.byCategory.satisfied")]
    [TestCase("""{ "options": [ { "id": "Bad Id", "label": "A" } ] }""", "reasons.options[0].id")]
    [TestCase("""{ "options": [ { "id": "other", "label": "A" } ] }""", "reasons.options[0].id")]
    [TestCase("""{ "options": [ { "id": "a", "label": "A" }, { "id": "a", "label": "B" } ] }""", "reasons.options[1].id")]
    [TestCase("""{ "options": [ { "id": "a", "label": " " } ] }""", "reasons.options[0].label")]
    [TestCase("""{ "options": [ { "id": "a", "label": "A", "labels": { "not a tag!": "x" } } ] }""", "reasons.options[0].labels.not a tag!")]
    [TestCase("""{ "options": [] }""", "reasons")]
    [TestCase("""{ "options": [ {"id":"a1","label":"x"},{"id":"a2","label":"x"},{"id":"a3","label":"x"},{"id":"a4","label":"x"},{"id":"a5","label":"x"},{"id":"a6","label":"x"},{"id":"a7","label":"x"},{"id":"a8","label":"x"},{"id":"a9","label":"x"},{"id":"a10","label":"x"},{"id":"a11","label":"x"} ] }""", "reasons.options")]
    public async Task Survey_BadReasons_Are400NamingTheField_AndChangeNothing(string reasons, string field)
    {
        var (_, server, surveyId) = Workspace();
        var before = await (await server.GetAsync($"/v1/surveys/{surveyId}")).Content.ReadAsStringAsync();

        var put = await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body($$"""{ "reasons": {{reasons}} }"""));
        var problem = await put.AssertProblem(400);

        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
        Assert.That(await (await server.GetAsync($"/v1/surveys/{surveyId}")).Content.ReadAsStringAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task CustomLocale_NeedsTheReasonTexts_OnlyWhenTheSurveyAsksReasons()
    {
        var (_, server, surveyId) = Workspace();
        const string Swahili = """
            { "question": "Q {product}?", "low": "L", "high": "H", "followUp": { "promoter": "P", "passive": "Pa", "detractor": "D" },
              "placeholder": "Ph", "submit": "S", "dismiss": "Di", "thanks": "T", "optOut": "O" }
            """;

        var put = await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body($$"""{ "texts": { "sw": {{Swahili}} } }"""));
        var problem = await put.AssertProblem(400);
        Assert.That(problem.GetProperty("errors").GetProperty("texts.sw")[0].GetString(), Does.Contain("reasons.question").And.Contain("reasons.other"));

        var withoutReasons = await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body($$"""{ "reasons": null, "texts": { "sw": {{Swahili}} } }"""));
        Assert.That((int)withoutReasons.StatusCode, Is.EqualTo(200), await withoutReasons.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Eligibility_SendsTheAskedLists_LabelsInTheLocale_AndTheQuestionsTexts()
    {
        var (_, server, _) = Workspace();

        var de = await server.CheckUser(User("u-de", _app.Time.GetUtcNow()), locale: "de-AT");
        var en = await server.CheckUser(User("u-en", _app.Time.GetUtcNow()), locale: "en");

        using (Assert.EnterMultipleScope())
        {
            var lists = de.Survey!.Reasons!.Lists;
            Assert.That(lists.Select(l => (l.Category, l.Min, l.Max)), Is.EqualTo(new[] { ("detractor", 0, 6), ("promoter", 9, 10) }), "passive has an empty list: not asked");
            Assert.That(lists[0].Options.Select(o => o.Label), Is.EqualTo(new[] { "Zu teuer", "Slow", "Missing features" }), "de label, else the default");
            Assert.That(lists[1].Options.Select(o => o.Id), Is.EqualTo(new[] { "support" }), "promoters get the default list");
            Assert.That(de.Survey.Texts.Reasons!.Question, Is.EqualTo("Was sind die wichtigsten Gründe für Ihre Bewertung?"));
            Assert.That(de.Survey.Texts.Reasons.Other, Is.EqualTo("Sonstiges"));
            Assert.That(en.Survey!.Reasons!.Lists[0].Options[0].Label, Is.EqualTo("Too expensive"));
        }
    }

    [Test]
    public async Task Eligibility_WithoutReasons_CarriesNoReasonsOrTheirTexts()
    {
        var ws = _app.CreateWorkspace("Acme", ["https://app.acme.test"]);
        var server = _app.SecretClient(ws.SecretKey);

        var response = await server.PostAsync("/v1/eligibility", Json.Of(new { user = User("u-1", _app.Time.GetUtcNow()) }));
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(body, Does.Contain("\"eligible\":true").And.Not.Contain("reasons"));
    }

    [Test]
    public async Task Answer_WithReasons_IsStored_AndShownInTheResponseTheListTheCsvAndTheWebhookEvent()
    {
        var (ws, server, _) = Workspace();
        var hook = await server.PostAsync("/v1/webhooks", Json.Of(new { url = "https://hooks.acme.test/pulse", events = new[] { "response.created" } }));
        Assert.That((int)hook.StatusCode, Is.EqualTo(201), await hook.Content.ReadAsStringAsync());
        var token = await Shown(server, "u-1");

        var saved = await (await Answer(server, token, 3, ["slow", "price", "other"], "No export")).ReadJson<JsonElement>(201);
        var id = saved.GetProperty("id").GetInt64();
        var detail = await (await server.GetAsync($"/v1/responses/{id}")).ReadJson<JsonElement>();
        var list = await (await server.GetAsync("/v1/responses")).ReadJson<JsonElement>();
        var csv = await server.GetStringAsync("/v1/responses.csv");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(saved.GetProperty("reasons").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "other", "price", "slow" }));
            Assert.That(saved.GetProperty("reasonOther").GetString(), Is.EqualTo("No export"));
            Assert.That(ReasonRows(), Is.EqualTo(3));
            Assert.That(detail.GetProperty("response").GetProperty("reasons").GetArrayLength(), Is.EqualTo(3));
            Assert.That(detail.GetProperty("response").GetProperty("reasonOther").GetString(), Is.EqualTo("No export"));
            Assert.That(list.GetProperty("items")[0].GetProperty("reasons")[1].GetString(), Is.EqualTo("price"));
            var lines = csv.Split("\r\n");
            Assert.That(lines[0], Does.Contain("reasons,reasonOther"));
            Assert.That(lines[1], Does.Contain("\"other, price, slow\",No export"));
            using var c = _app.Db.Open();
            var payload = c.ExecuteScalar<string>("SELECT payload FROM webhook_events WHERE workspace_id = @W", new { W = ws.WorkspaceId })!;
            Assert.That(payload, Does.Contain("\"reasons\":[\"other\",\"price\",\"slow\"]").And.Contain("\"reasonOther\":\"No export\""));
        }
    }

    [TestCase(3, new[] { "support" }, "reasons[0]")]
    [TestCase(3, new[] { "nope" }, "reasons[0]")]
    [TestCase(8, new[] { "support" }, "reasons")]
    [TestCase(3, new[] { "slow", "slow" }, "reasons[1]")]
    [TestCase(3, new[] { "Not An Id" }, "reasons[0]")]
    public async Task Answer_WithReasonsTheQuestionDoesNotOffer_Is400_AndStoresNothing(int score, string[] reasons, string field)
    {
        var (_, server, _) = Workspace();
        var token = await Shown(server, "u-1");

        var problem = await (await Answer(server, token, score, reasons)).AssertProblem(400);

        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
        using var c = _app.Db.Open();
        Assert.That(c.ExecuteScalar<long>("SELECT count(*) FROM responses"), Is.Zero);
        Assert.That(ReasonRows(), Is.Zero);
    }

    [Test]
    public async Task Answer_SingleChoice_TakesOneReason_AndOtherTextNeedsOther()
    {
        var (_, server, _) = Workspace("""{ "reasons": { "multiple": false, "other": false, "options": [ { "id": "a", "label": "A" }, { "id": "b", "label": "B" } ] } }""");
        var token = await Shown(server, "u-1");

        var two = await (await Answer(server, token, 2, ["a", "b"])).AssertProblem(400);
        var other = await (await Answer(server, token, 2, ["other"])).AssertProblem(400);
        var text = await (await Answer(server, token, 2, ["a"], "why")).AssertProblem(400);
        var one = await Answer(server, token, 2, ["b"]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(two.GetProperty("errors").TryGetProperty("reasons", out _), Is.True);
            Assert.That(other.GetProperty("errors").TryGetProperty("reasons[0]", out _), Is.True, "no Other offered");
            Assert.That(text.GetProperty("errors").TryGetProperty("reasonOther", out _), Is.True);
            Assert.That((int)one.StatusCode, Is.EqualTo(201));
            Assert.That(ReasonRows(), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Update_KeepsReasonsNotResent_ButDropsThemWhenTheScoreChangesCategory()
    {
        var (_, server, _) = Workspace();
        var token = await Shown(server, "u-1");

        await Answer(server, token, 3, ["slow"]);
        var comment = await server.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 3, comment = "meh" }));
        var kept = await comment.ReadJson<JsonElement>();
        var moved = await (await Answer(server, token, 10)).ReadJson<JsonElement>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(kept.GetProperty("reasons")[0].GetString(), Is.EqualTo("slow"));
            Assert.That(moved.GetProperty("reasons").GetArrayLength(), Is.Zero);
            Assert.That(ReasonRows(), Is.Zero);
        }
    }

    [Test]
    public async Task Variant_WithItsOwnReasons_ShowsAndAcceptsThem()
    {
        var (_, server, _) = Workspace("""
            { "reasons": { "options": [ { "id": "a", "label": "A" } ] },
              "variants": [ { "key": "a", "weight": 1, "texts": {} },
                            { "key": "b", "weight": 99, "texts": {}, "reasons": { "options": [ { "id": "b-only", "label": "B" } ] } } ] }
            """);

        for (var i = 0; i < 20; i++)
        {
            var answer = await server.CheckUser(User($"u-{i}", _app.Time.GetUtcNow()));
            using var c = _app.Db.Open();
            var variant = c.ExecuteScalar<string>("SELECT variant FROM displays WHERE user_id = @U", new { U = $"u-{i}" });
            var ids = answer.Survey!.Reasons!.Lists[0].Options.Select(o => o.Id).ToList();
            Assert.That(ids, Is.EqualTo(variant == "b" ? new[] { "b-only" } : new[] { "a" }), variant);
            var status = (int)(await Answer(server, answer.DisplayToken!, 2, [ids[0] == "a" ? "b-only" : "a"])).StatusCode;
            Assert.That(status, Is.EqualTo(400), "the other variant's reason");
            status = (int)(await Answer(server, answer.DisplayToken!, 2, [ids[0]])).StatusCode;
            Assert.That(status, Is.EqualTo(201));
        }
    }

    /// <summary>"Top reasons among detractors this quarter, by plan": counts, shares and change, computed here from the answers sent.</summary>
    [Test]
    public async Task Metrics_TopReasonsAmongDetractors_ByPlan_MatchCountsComputedFromTheAnswers()
    {
        var (_, server, _) = Workspace();
        var random = new Random(17);
        string[] plans = ["free", "premium"];
        string[][] choices = [["price"], ["slow"], ["price", "slow"], ["missing"], ["price", "other"], []];
        var sent = new List<(int Period, string Plan, int Score, string[] Reasons)>();
        var start = _app.Time.GetUtcNow();
        for (var period = 0; period < 2; period++)
        {
            for (var i = 0; i < 40; i++)
            {
                var plan = plans[random.Next(2)];
                var score = random.Next(0, 11);
                var reasons = score <= 6 ? choices[random.Next(choices.Length)] : score >= 9 ? (random.Next(2) == 0 ? ["support"] : []) : [];
                var token = await Shown(server, $"u-{period}-{i}", new { plan });
                var posted = await Answer(server, token, score, reasons.Length == 0 ? null : reasons, reasons.Contains("other") ? "x" : null);
                Assert.That((int)posted.StatusCode, Is.EqualTo(201), await posted.Content.ReadAsStringAsync());
                sent.Add((period, plan, score, reasons));
            }
            _app.Time.Advance(TimeSpan.FromDays(30));
        }
        // Previous period: [start, start + 30 d); this one: [start + 30 d, start + 60 d).
        var from = start.AddDays(30).ToString("O");
        var to = start.AddDays(60).ToString("O");

        var report = await (await server.GetAsync($"/v1/metrics/reasons?category=detractor&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&groupBy=plan"))
            .ReadJson<JsonElement>();

        var detractors = sent.Where(s => s.Score <= 6 && s.Reasons.Length > 0).ToList();
        double Share(int count, int of) => of == 0 ? 0 : Math.Round(100.0 * count / of, 1, MidpointRounding.AwayFromZero);
        void Check(JsonElement reasons, long respondents, long previousRespondents, Func<(int Period, string Plan, int Score, string[] Reasons), bool> inGroup, string name)
        {
            var now = detractors.Where(d => d.Period == 1 && inGroup(d)).ToList();
            var before = detractors.Where(d => d.Period == 0 && inGroup(d)).ToList();
            Assert.That(respondents, Is.EqualTo(now.Count), name + " respondents");
            Assert.That(previousRespondents, Is.EqualTo(before.Count), name + " previous respondents");
            var ids = now.Concat(before).SelectMany(d => d.Reasons).Distinct().ToList();
            Assert.That(reasons.GetArrayLength(), Is.EqualTo(ids.Count), name);
            foreach (var r in reasons.EnumerateArray())
            {
                var id = r.GetProperty("id").GetString()!;
                var count = now.Count(d => d.Reasons.Contains(id));
                var previous = before.Count(d => d.Reasons.Contains(id));
                Assert.That(r.GetProperty("count").GetInt64(), Is.EqualTo(count), $"{name} {id}");
                Assert.That(r.GetProperty("previousCount").GetInt64(), Is.EqualTo(previous), $"{name} {id} before");
                Assert.That(r.GetProperty("share").GetDouble(), Is.EqualTo(Share(count, now.Count)), $"{name} {id} share");
                var change = Math.Round(100.0 * count / now.Count - 100.0 * previous / before.Count, 1, MidpointRounding.AwayFromZero);
                Assert.That(r.GetProperty("change").GetDouble(), Is.EqualTo(change).Within(1e-9), $"{name} {id} change");
            }
            var counts = reasons.EnumerateArray().Select(r => r.GetProperty("count").GetInt64()).ToList();
            Assert.That(counts, Is.Ordered.Descending, name + " most chosen first");
        }

        using (Assert.EnterMultipleScope())
        {
            Check(report.GetProperty("reasons"), report.GetProperty("respondents").GetInt64(), report.GetProperty("previousRespondents").GetInt64(), _ => true, "all");
            var groups = report.GetProperty("groups").EnumerateArray().ToList();
            Assert.That(groups.Select(g => g.GetProperty("value").GetString()), Is.EqualTo(plans));
            foreach (var g in groups)
            {
                var plan = g.GetProperty("value").GetString();
                Check(g.GetProperty("reasons"), g.GetProperty("respondents").GetInt64(), g.GetProperty("previousRespondents").GetInt64(), d => d.Plan == plan, plan!);
            }
            Assert.That(report.GetProperty("reasons").EnumerateArray().First(r => r.GetProperty("id").GetString() == "price").GetProperty("label").GetString(),
                Is.EqualTo("Too expensive"));
        }

        var filtered = await (await server.GetAsync($"/v1/metrics/reasons?category=detractor&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&where[plan]=premium"))
            .ReadJson<JsonElement>();
        Assert.That(filtered.GetProperty("respondents").GetInt64(), Is.EqualTo(detractors.Count(d => d.Period == 1 && d.Plan == "premium")));
    }

    [Test]
    public async Task Metrics_WithoutReasons_AreEmpty()
    {
        var (_, server, _) = Workspace();
        await Answer(server, await Shown(server, "u-1", new { plan = "free" }), 3);

        var report = await (await server.GetAsync("/v1/metrics/reasons?category=detractor&from=2026-01-01&to=2026-03-31&groupBy=plan")).ReadJson<JsonElement>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.GetProperty("respondents").GetInt64(), Is.Zero);
            Assert.That(report.GetProperty("reasons").GetArrayLength(), Is.Zero);
            Assert.That(report.GetProperty("groups").GetArrayLength(), Is.Zero);
        }
    }

    [Test]
    public async Task Metrics_BadCategory_Is400()
    {
        var (_, server, _) = Workspace();
        var problem = await (await server.GetAsync("/v1/metrics/reasons?category=angry")).AssertProblem(400);
        Assert.That(problem.GetProperty("errors").TryGetProperty("category", out _), Is.True);
    }
}
