using System.Text.Json;
using Dapper;
using Pulse.Api.Analytics;
using Pulse.Api.Eligibility;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Surveys;

/// <summary>Custom locales, A/B variants, and NPS grouped by the locale and the variant a display showed (issue 17).</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class LanguagesAndVariantsApiTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";
    static readonly DateTimeOffset Now = PulseFactory.DefaultNow;

    PulseFactory _app = null!;

    [SetUp]
    public void Start() => _app = new PulseFactory(provider: provider);

    [TearDown]
    public void Stop() => _app.Dispose();

    const string Swahili = """
        { "question": "Kuna uwezekano gani kwamba utapendekeza {product} kwa rafiki au mwenzako?",
          "low": "Haiwezekani kabisa", "high": "Inawezekana sana",
          "followUp": { "promoter": "Unapenda nini zaidi kuhusu {product}?", "passive": "Tungefanya nini ili {product} iwe bora kwako?",
                        "detractor": "Nini kilikukatisha tamaa?" },
          "placeholder": "Tuambie zaidi (si lazima)", "submit": "Tuma", "dismiss": "Funga", "thanks": "Asante kwa maoni yako!",
          "optOut": "Usiniulize tena" }
        """;

    (CreatedWorkspace Workspace, HttpClient Server, string SurveyId) Workspace()
    {
        var ws = _app.CreateWorkspace("Acme", [Origin]);
        var server = _app.SecretClient(ws.SecretKey);
        return (ws, server, DefaultSurveyId(_app.Db, ws.WorkspaceId));
    }

    static string SurveyRow(PulseFactory app, string surveyId)
    {
        using var c = app.Db.Open();
        return c.ExecuteScalar<string>("SELECT texts || variants || updated_at FROM surveys WHERE id = @Id", new { Id = surveyId })!;
    }

    [Test]
    public async Task CustomLocale_Complete_IsStored_AndEligibilityAnswersInIt_AndRecordsIt()
    {
        var (ws, server, surveyId) = Workspace();

        var put = await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body($$"""{ "texts": { "sw": {{Swahili}} } }"""));
        Assert.That((int)put.StatusCode, Is.EqualTo(200), await put.Content.ReadAsStringAsync());
        var answer = await server.CheckUser(User("u-sw", Now), locale: "sw-KE");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Survey!.Locale, Is.EqualTo("sw"));
            Assert.That(answer.Survey.Dir, Is.EqualTo("ltr"));
            Assert.That(answer.Survey.Texts.Question, Does.StartWith("Kuna uwezekano gani").And.Not.Contain("{product}"));
            Assert.That(answer.Survey.Texts.OptOut, Is.EqualTo("Usiniulize tena"));
            using var c = _app.Db.Open();
            Assert.That(c.ExecuteScalar<string>("SELECT locale FROM displays WHERE workspace_id = @W", new { W = ws.WorkspaceId }), Is.EqualTo("sw"));
        }
    }

    [Test]
    public async Task CustomLocale_Incomplete_Is400NamingTheMissingKeys_AndStoresNothing()
    {
        var (_, server, surveyId) = Workspace();
        var before = SurveyRow(_app, surveyId);

        var put = await server.PutAsync($"/v1/surveys/{surveyId}",
            Json.Body("""{ "texts": { "gsw-CH": { "question": "Wie wahrschiinlich empfählet Sie {product} wiiter?", "low": "Gar nöd" } } }"""));
        var problem = await put.AssertProblem(400);
        var message = problem.GetProperty("errors").GetProperty("texts.gsw-CH")[0].GetString();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(message, Does.Contain("custom locale").And.Contain("high").And.Contain("followUp.passive").And.Contain("optOut"));
            Assert.That(message, Does.Not.Contain("question,").And.Not.Contain(" low,"));
            Assert.That(SurveyRow(_app, surveyId), Is.EqualTo(before));
        }
    }

    [TestCase("""{ "texts": { "x!": { "question": "?" } } }""", "texts.x!")]
    [TestCase("""{ "texts": { "de": { "dir": "rtl" } } }""", "texts.de.dir")]
    [TestCase("""{ "variants": [ { "key": "a", "weight": 1 } ] }""", "variants")]
    [TestCase("""{ "variants": [ { "key": "a", "weight": 1 }, { "key": "b", "weight": 1 }, { "key": "c", "weight": 1 }, { "key": "d", "weight": 1 }, { "key": "e", "weight": 1 } ] }""", "variants")]
    [TestCase("""{ "variants": [ { "key": "a", "weight": 1 }, { "key": "a", "weight": 1 } ] }""", "variants[1].key")]
    [TestCase("""{ "variants": [ { "key": "A B", "weight": 1 }, { "key": "b", "weight": 1 } ] }""", "variants[0].key")]
    [TestCase("""{ "variants": [ { "key": "a", "weight": 0 }, { "key": "b", "weight": 1 } ] }""", "variants[0].weight")]
    [TestCase("""{ "variants": [ { "key": "a", "weight": 1 }, { "key": "b", "weight": 101 } ] }""", "variants[1].weight")]
    [TestCase("""{ "variants": [ { "key": "a", "weight": 1 }, { "key": "b", "weight": 1, "texts": { "sw": { "question": "?" } } } ] }""", "variants[1].texts.sw")]
    [TestCase("""{ "variants": [ { "key": "a", "weight": 1 }, { "key": "b", "weight": 1, "texts": { "en": { "question": " " } } } ] }""", "variants[1].texts.en.question")]
    [TestCase("""{ "variants": [ { "key": "a", "weight": 1 }, null ] }""", "variants[1]")]
    public async Task BadLocalesOrVariants_Are400NamingTheField_AndChangeNothing(string body, string field)
    {
        var (_, server, surveyId) = Workspace();
        var before = SurveyRow(_app, surveyId);

        var problem = await (await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body(body))).AssertProblem(400);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
            Assert.That(SurveyRow(_app, surveyId), Is.EqualTo(before));
        }
    }

    [Test]
    public async Task Variants_AreStored_ShownByTheirWeights_AndRecordedOnEachDisplay()
    {
        var (ws, server, surveyId) = Workspace();
        var put = await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body("""
            { "variants": [ { "key": "a", "weight": 1 },
                            { "key": "b", "weight": 3, "texts": { "en": { "question": "Would you tell a colleague about {product}?" } } } ] }
            """));
        var resource = await put.ReadJson<JsonElement>();

        var answers = new Dictionary<string, EligibleSurvey>();
        for (var i = 0; i < 40; i++)
            answers[$"u-{i}"] = (await server.CheckUser(User($"u-{i}", Now), locale: "en")).Survey!;

        using var c = _app.Db.Open();
        var recorded = c.Query<(string UserId, string Variant)>("SELECT user_id, variant FROM displays WHERE workspace_id = @W", new { W = ws.WorkspaceId })
            .ToDictionary(r => r.UserId, r => r.Variant);
        var variants = await SurveyVariants(server, surveyId);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(resource.GetProperty("variants").GetRawText(), Is.EqualTo(
                """[{"key":"a","weight":1,"texts":{}},{"key":"b","weight":3,"texts":{"en":{"question":"Would you tell a colleague about {product}?"}}}]"""));
            Assert.That(recorded, Has.Count.EqualTo(40));
            foreach (var (user, variant) in recorded)
            {
                Assert.That(variant, Is.EqualTo(VariantAssignment.Assign(ws.WorkspaceId, surveyId, user, variants)), user + ": the sticky assignment");
                Assert.That(answers[user].Texts.Question, variant == "b" ? Does.StartWith("Would you tell") : Does.StartWith("How likely"), user);
            }
            Assert.That(recorded.Values.Distinct(), Is.EquivalentTo(new[] { "a", "b" }));
        }
    }

    static async Task<IReadOnlyList<Pulse.Api.Surveys.SurveyVariant>> SurveyVariants(HttpClient server, string surveyId) =>
        (await (await server.GetAsync($"/v1/surveys/{surveyId}")).ReadJson<Pulse.Api.Surveys.SurveyResource>()).Variants;

    [Test]
    public async Task Variants_EmptyList_ClearsThem_AndDisplaysRecordNoVariant()
    {
        var (ws, server, surveyId) = Workspace();
        (await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body("""{ "variants": [ { "key": "a", "weight": 1 }, { "key": "b", "weight": 1 } ] }"""))).EnsureSuccessStatusCode();
        (await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body("""{ "variants": [] }"""))).EnsureSuccessStatusCode();

        await server.CheckUser(User("u-1", Now));

        using var c = _app.Db.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await SurveyVariants(server, surveyId), Is.Empty);
            Assert.That(c.ExecuteScalar<string?>("SELECT variant FROM displays WHERE workspace_id = @W", new { W = ws.WorkspaceId }), Is.Null);
        }
    }

    /// <summary>Shows the survey to each user in their locale and answers with their score.</summary>
    async Task Answer(HttpClient server, IEnumerable<(string User, string Locale, int Score, string Plan)> users)
    {
        using var browser = _app.BrowserClient(Origin);
        foreach (var (user, locale, score, plan) in users)
        {
            var shown = await server.CheckUser(User(user, Now, new { plan }), locale: locale);
            var post = await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = shown.DisplayToken, score }));
            Assert.That((int)post.StatusCode, Is.EqualTo(201), await post.Content.ReadAsStringAsync());
        }
    }

    [TestCase("")]
    [TestCase("&where[plan]=pro")]
    [TestCase("&interval=day&tz=Asia/Kolkata")]
    public async Task GroupByLocale_GroupsByTheLocaleShown_FromAggregatesAndRawRows(string extra)
    {
        var (_, server, _) = Workspace();
        await Answer(server, [("u-1", "de-AT", 10, "pro"), ("u-2", "de", 0, "pro"), ("u-3", "fr-CA", 9, "pro"), ("u-4", "xx", 7, "pro")]);

        var report = await (await server.GetAsync("/v1/metrics/nps?from=2026-03-01&to=2026-03-03&groupBy=locale" + extra)).ReadJson<NpsReport>();
        var byLocale = report.Groups!.ToDictionary(g => g.Value);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(byLocale.Keys, Is.EquivalentTo(new[] { "de", "fr", "en" }));
            Assert.That((byLocale["de"].Responses, byLocale["de"].Nps, byLocale["de"].Displays), Is.EqualTo((2L, (double?)0.0, 2L)));
            Assert.That((byLocale["fr"].Responses, byLocale["fr"].Nps), Is.EqualTo((1L, (double?)100.0)));
            Assert.That((byLocale["en"].Responses, byLocale["en"].Passives), Is.EqualTo((1L, 1L)));
            Assert.That(report.Comparisons, Is.Null, "comparisons are for variants");
        }
        var german = await (await server.GetAsync("/v1/metrics/nps?from=2026-03-01&to=2026-03-03&where[locale]=de" + extra)).ReadJson<NpsReport>();
        Assert.That((german.Responses, german.Promoters, german.Detractors), Is.EqualTo((2L, 1L, 1L)), "where[locale] filters by it too");
    }

    [Test]
    public async Task GroupByVariant_GivesEachVariantsNps_AndTheDifferenceWithItsInterval()
    {
        var (ws, server, surveyId) = Workspace();
        (await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body("""{ "variants": [ { "key": "a", "weight": 1 }, { "key": "b", "weight": 1 } ] }"""))).EnsureSuccessStatusCode();
        var variants = await SurveyVariants(server, surveyId);
        // Promoters in b, detractors in a: 20 users of each, so the difference is clear.
        var users = Enumerable.Range(0, 200).Select(i => $"u-{i}")
            .GroupBy(u => VariantAssignment.Assign(ws.WorkspaceId, surveyId, u, variants)!)
            .ToDictionary(g => g.Key, g => g.Take(20).ToList());
        await Answer(server, users["a"].Select(u => (u, "en", 2, "pro")).Concat(users["b"].Select(u => (u, "en", 10, "pro"))));

        var report = await (await server.GetAsync("/v1/metrics/nps?from=2026-03-01&to=2026-03-03&groupBy=variant")).ReadJson<NpsReport>();

        var comparison = report.Comparisons!.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.Groups!.Select(g => (g.Value, g.Nps, g.Responses)), Is.EquivalentTo(new[] { ("a", (double?)-100.0, 20L), ("b", (double?)100.0, 20L) }));
            Assert.That((comparison.Baseline, comparison.Variant), Is.EqualTo(("a", "b")));
            Assert.That(comparison.Nps, Is.EqualTo(new Difference(200, 200, 200)), "no variance on either side");
            Assert.That(comparison.ResponseRate, Is.EqualTo(new Difference(0, 0, 0)));
            Assert.That(comparison.Verdict, Is.EqualTo("b scores higher than a"));
        }
    }
}
