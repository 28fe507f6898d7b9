using System.Text.Json;
using Dapper;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Surveys;

/// <summary>GET/POST /v1/surveys and GET/PUT/DELETE /v1/surveys/{id} with a secret key.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class SurveyApiTests(StorageProvider provider)
{
    PulseFactory _app = null!;
    CreatedWorkspace _a = null!;
    CreatedWorkspace _b = null!;
    HttpClient _http = null!;
    HttpClient _other = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(provider: provider);
        _ = _app.Server;
        _a = _app.CreateWorkspace("Acme");
        _b = _app.CreateWorkspace("Globex");
        _http = _app.SecretClient(_a.SecretKey);
        _other = _app.SecretClient(_b.SecretKey);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _other.Dispose();
        _app.Dispose();
    }

    async Task<SurveyResource> Create(string json)
    {
        var response = await _http.PostAsync("/v1/surveys", Json.Body(json));
        return await response.ReadJson<SurveyResource>(201);
    }

    [Test]
    public async Task List_NewWorkspace_HasTheDefaultRelationshipSurvey()
    {
        var ws = _app.CreateWorkspace("Fresh");
        using var http = _app.SecretClient(ws.SecretKey);

        var list = await (await http.GetAsync("/v1/surveys")).ReadJson<SurveyList>();

        Assert.That(list.Items, Has.Count.EqualTo(1));
        var s = list.Items[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(s.Name, Is.EqualTo("Relationship NPS"));
            Assert.That(s.Kind, Is.EqualTo("nps"));
            Assert.That(s.Active, Is.True);
            Assert.That(s.Trigger, Is.Null);
            Assert.That((s.FirstSurveyDelayDays, s.ResurveyDays, s.DeclineCooldownDays, s.ReshowAfterIgnoredDays), Is.EqualTo((30, 90, 30, 1)));
            Assert.That(s.SamplePercent, Is.EqualTo(100));
            Assert.That(s.DailyCap, Is.Null);
            Assert.That(s.Theme, Is.EqualTo(new SurveyTheme("#4f46e5", "bottom-right")));
        }
    }

    [Test]
    public async Task Create_WithEveryField_Answers201_InExactlyTheDesignShape()
    {
        var response = await _http.PostAsync("/v1/surveys", Json.Body("""
            { "name": "Relationship NPS", "kind": "nps", "active": true, "priority": 3, "trigger": null,
              "firstSurveyDelayDays": 30, "resurveyDays": 90, "declineCooldownDays": 30, "reshowAfterIgnoredDays": 1,
              "samplePercent": 25.5, "dailyCap": null,
              "targeting": [ { "trait": "plan", "op": "in", "values": ["premium", "enterprise"] },
                             { "trait": "arr", "op": "gte", "value": 10000 } ],
              "excludeEmailDomains": ["ACME.com"],
              "texts": { "de": { "question": "Würden Sie {product} empfehlen?", "followUp": { "detractor": "Was fehlt?" } } },
              "theme": { "color": "#4F46E5", "position": "bottom-left" } }
            """));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), text);
        var doc = JsonDocument.Parse(text).RootElement;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(doc.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[]
            {
                "id", "name", "kind", "active", "priority", "trigger", "firstSurveyDelayDays", "resurveyDays", "declineCooldownDays",
                "reshowAfterIgnoredDays", "samplePercent", "dailyCap", "targeting", "excludeEmailDomains", "texts", "theme", "variants", "reasons", "emailFallbackDays",
            }));
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo("/v1/surveys/" + doc.GetProperty("id").GetString()));
            Assert.That(doc.GetProperty("id").GetString(), Does.StartWith("srv_"));
            Assert.That(doc.GetProperty("targeting").GetRawText(),
                Is.EqualTo("""[{"trait":"plan","op":"in","values":["premium","enterprise"]},{"trait":"arr","op":"gte","value":10000}]"""));
            Assert.That(doc.GetProperty("excludeEmailDomains")[0].GetString(), Is.EqualTo("acme.com"));
            Assert.That(doc.GetProperty("texts").GetRawText(),
                Is.EqualTo("""{"de":{"question":"Würden Sie {product} empfehlen?","followUp":{"detractor":"Was fehlt?"}}}"""));
            Assert.That(doc.GetProperty("theme").GetRawText(), Is.EqualTo("""{"color":"#4f46e5","position":"bottom-left"}"""));
            Assert.That(doc.GetProperty("samplePercent").GetDouble(), Is.EqualTo(25.5));
            Assert.That(doc.GetProperty("dailyCap").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }
    }

    [Test]
    public async Task Create_FakedSurveys_RoundTripThroughGet()
    {
        foreach (var input in new SurveyInputFaker(41).Generate(10))
        {
            var created = await (await _http.PostAsync("/v1/surveys", Json.Of(input))).ReadJson<SurveyResource>(201);
            var fetched = await (await _http.GetAsync($"/v1/surveys/{created.Id}")).ReadJson<SurveyResource>();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(JsonSerializer.Serialize(fetched, Json.Options), Is.EqualTo(JsonSerializer.Serialize(created, Json.Options)));
                Assert.That(fetched.Name, Is.EqualTo(input.Name));
                Assert.That(fetched.Trigger, Is.EqualTo(input.Trigger));
                Assert.That(fetched.DailyCap, Is.EqualTo(input.DailyCap));
                Assert.That(fetched.SamplePercent, Is.EqualTo(input.SamplePercent));
                Assert.That(fetched.Targeting, Has.Count.EqualTo(input.Targeting!.Count));
                Assert.That(fetched.Theme.Color, Is.EqualTo(input.Theme!.Color!.ToLowerInvariant()));
            }
        }
    }

    [Test]
    public async Task Create_WithOnlyAName_TakesTheDefaults()
    {
        var s = await Create("""{ "name": "Minimal" }""");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((s.Kind, s.Active, s.Priority, s.Trigger), Is.EqualTo(("nps", true, 0, (string?)null)));
            Assert.That((s.FirstSurveyDelayDays, s.ResurveyDays, s.DeclineCooldownDays, s.ReshowAfterIgnoredDays), Is.EqualTo((30, 90, 30, 1)));
            Assert.That(s.SamplePercent, Is.EqualTo(100));
            Assert.That(s.Targeting, Is.Empty);
            Assert.That(s.Texts, Is.Empty);
        }
    }

    [Test]
    public async Task List_IsHighestPriorityFirst_AndOnlyTheCallersWorkspace()
    {
        var ws = _app.CreateWorkspace("Ordered");
        using var http = _app.SecretClient(ws.SecretKey);
        foreach (var (name, priority) in new[] { ("low", -5), ("high", 50), ("mid", 7) })
            (await http.PostAsync("/v1/surveys", Json.Of(new { name, priority }))).EnsureSuccessStatusCode();

        var list = await (await http.GetAsync("/v1/surveys")).ReadJson<SurveyList>();

        Assert.That(list.Items.Select(s => s.Name), Is.EqualTo(new[] { "high", "mid", "Relationship NPS", "low" }));
    }

    [Test]
    public async Task Put_ChangesOnlyTheFieldsGiven_AndExplicitNullsClearTriggerAndCap()
    {
        var s = await Create("""{ "name": "Support", "trigger": "support_case_closed", "dailyCap": 40, "samplePercent": 50 }""");

        var paused = await (await _http.PutAsync($"/v1/surveys/{s.Id}", Json.Body("""{ "active": false }"""))).ReadJson<SurveyResource>();
        var cleared = await (await _http.PutAsync($"/v1/surveys/{s.Id}", Json.Body("""{ "trigger": null, "dailyCap": null }"""))).ReadJson<SurveyResource>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(paused.Active, Is.False);
            Assert.That((paused.Name, paused.Trigger, paused.DailyCap, paused.SamplePercent), Is.EqualTo(("Support", "support_case_closed", (int?)40, 50.0)));
            Assert.That((cleared.Trigger, cleared.DailyCap), Is.EqualTo(((string?)null, (int?)null)));
            Assert.That((cleared.Name, cleared.Active, cleared.SamplePercent), Is.EqualTo(("Support", false, 50.0)));
        }
    }

    [Test]
    public async Task Delete_IsSoft_Answers204_ThenTheSurveyIs404AndUnlisted()
    {
        var s = await Create("""{ "name": "Short-lived" }""");

        var deleted = await _http.DeleteAsync($"/v1/surveys/{s.Id}");
        var again = await _http.DeleteAsync($"/v1/surveys/{s.Id}");
        var get = await _http.GetAsync($"/v1/surveys/{s.Id}");
        var put = await _http.PutAsync($"/v1/surveys/{s.Id}", Json.Body("""{ "active": true }"""));
        var list = await (await _http.GetAsync("/v1/surveys")).ReadJson<SurveyList>();

        using var c = _app.Db.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)deleted.StatusCode, Is.EqualTo(204));
            await again.AssertProblem(404);
            await get.AssertProblem(404);
            await put.AssertProblem(404);
            Assert.That(list.Items.Select(i => i.Id), Does.Not.Contain(s.Id));
            Assert.That(c.ExecuteScalar<long?>("SELECT deleted_at FROM surveys WHERE id = @Id", new { s.Id }),
                Is.EqualTo(_app.Time.GetUtcNow().ToUnixTimeMilliseconds()), "the row stays, marked deleted");
        }
    }

    [Test]
    public async Task AnotherWorkspacesSurvey_Is404_ForGetPutAndDelete_AndStaysUnchanged()
    {
        var theirs = await Create("""{ "name": "Acme only", "samplePercent": 30 }""");

        var get = await _other.GetAsync($"/v1/surveys/{theirs.Id}");
        var put = await _other.PutAsync($"/v1/surveys/{theirs.Id}", Json.Body("""{ "samplePercent": 1 }"""));
        var delete = await _other.DeleteAsync($"/v1/surveys/{theirs.Id}");
        var list = await (await _other.GetAsync("/v1/surveys")).ReadJson<SurveyList>();
        var mine = await (await _http.GetAsync($"/v1/surveys/{theirs.Id}")).ReadJson<SurveyResource>();

        using (Assert.EnterMultipleScope())
        {
            await get.AssertProblem(404);
            await put.AssertProblem(404);
            await delete.AssertProblem(404);
            Assert.That(list.Items.Select(i => i.Id), Does.Not.Contain(theirs.Id));
            Assert.That(mine.SamplePercent, Is.EqualTo(30));
        }
    }

    [Test]
    public async Task Surveys_WithoutASecretKey_Are401()
    {
        using var anonymous = _app.CreateClient();
        using var browser = _app.BrowserClient();
        await (await anonymous.GetAsync("/v1/surveys")).AssertProblem(401);
        await (await browser.PostAsync("/v1/surveys", Json.Body("""{ "name": "x" }"""))).AssertProblem(401);
    }

    [Test]
    public async Task TextsWithSqlAndHtml_AreStoredAndReturnedVerbatim()
    {
        var s = await Create("""{ "name": "<b>Bold</b>'; DROP TABLE surveys; --", "texts": { "en": { "thanks": "<img src=x onerror=alert(1)>" } } }""");
        var fetched = await (await _http.GetAsync($"/v1/surveys/{s.Id}")).ReadJson<SurveyResource>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fetched.Name, Is.EqualTo("<b>Bold</b>'; DROP TABLE surveys; --"));
            Assert.That(fetched.Texts["en"].Thanks, Is.EqualTo("<img src=x onerror=alert(1)>"));
        }
    }

    [TestCase("""{ }""", "name")]
    [TestCase("""{ "name": "" }""", "name")]
    [TestCase("""{ "name": "x", "kind": "likert" }""", "kind")]
    [TestCase("""{ "name": "x", "priority": 5000 }""", "priority")]
    [TestCase("""{ "name": "x", "samplePercent": -1 }""", "samplePercent")]
    [TestCase("""{ "name": "x", "samplePercent": 100.01 }""", "samplePercent")]
    [TestCase("""{ "name": "x", "firstSurveyDelayDays": -1 }""", "firstSurveyDelayDays")]
    [TestCase("""{ "name": "x", "resurveyDays": -1 }""", "resurveyDays")]
    [TestCase("""{ "name": "x", "declineCooldownDays": -1 }""", "declineCooldownDays")]
    [TestCase("""{ "name": "x", "reshowAfterIgnoredDays": -1 }""", "reshowAfterIgnoredDays")]
    [TestCase("""{ "name": "x", "dailyCap": -1 }""", "dailyCap")]
    [TestCase("""{ "name": "x", "trigger": "Support Case" }""", "trigger")]
    [TestCase("""{ "name": "x", "trigger": "" }""", "trigger")]
    [TestCase("""{ "name": "x", "trigger": "<script>" }""", "trigger")]
    [TestCase("""{ "name": "x", "trigger": "a'; DROP TABLE surveys; --" }""", "trigger")]
    [TestCase("""{ "name": "x", "targeting": [ { "trait": "plan", "op": "like", "value": "p" } ] }""", "targeting[0].op")]
    [TestCase("""{ "name": "x", "targeting": [ { "trait": "plan", "op": "eq" } ] }""", "targeting[0].value")]
    [TestCase("""{ "name": "x", "targeting": [ { "trait": "plan", "op": "eq", "value": {"a":1} } ] }""", "targeting[0].value")]
    [TestCase("""{ "name": "x", "targeting": [ { "trait": "arr", "op": "gte", "value": "lots" } ] }""", "targeting[0].value")]
    [TestCase("""{ "name": "x", "targeting": [ { "trait": "plan", "op": "in", "values": [] } ] }""", "targeting[0].values")]
    [TestCase("""{ "name": "x", "targeting": [ { "trait": "plan", "op": "in", "value": "p" } ] }""", "targeting[0].values")]
    [TestCase("""{ "name": "x", "targeting": [ { "trait": "plan", "op": "exists", "value": 1 } ] }""", "targeting[0]")]
    [TestCase("""{ "name": "x", "targeting": [ { "trait": "no spaces", "op": "exists" } ] }""", "targeting[0].trait")]
    [TestCase("""{ "name": "x", "targeting": [ null ] }""", "targeting[0]")]
    [TestCase("""{ "name": "x", "excludeEmailDomains": ["not a domain"] }""", "excludeEmailDomains[0]")]
    [TestCase("""{ "name": "x", "texts": { "xx": { "question": "?" } } }""", "texts.xx")]
    [TestCase("""{ "name": "x", "texts": { "de": { "question": "  " } } }""", "texts.de.question")]
    [TestCase("""{ "name": "x", "texts": { "de": null } }""", "texts.de")]
    [TestCase("""{ "name": "x", "theme": { "color": "red" } }""", "theme.color")]
    [TestCase("""{ "name": "x", "theme": { "color": "#12345g" } }""", "theme.color")]
    [TestCase("""{ "name": "x", "theme": { "position": "middle" } }""", "theme.position")]
    public async Task Create_InvalidField_Is400NamingIt_AndCreatesNothing(string body, string field)
    {
        var before = Count();

        var problem = await (await _http.PostAsync("/v1/surveys", Json.Body(body))).AssertProblem(400);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
            Assert.That(Count(), Is.EqualTo(before));
        }
    }

    [Test]
    public async Task Create_TextOver1000Characters_Is400()
    {
        var body = JsonSerializer.Serialize(new { name = "x", texts = new { fr = new { thanks = new string('m', 1001) } } });
        var problem = await (await _http.PostAsync("/v1/surveys", Json.Body(body))).AssertProblem(400);
        Assert.That(problem.GetProperty("errors").TryGetProperty("texts.fr.thanks", out _), Is.True);
    }

    [TestCase("""{ "name": 5 }""", "$.name")]
    [TestCase("""{ "name": "x", "samplePercent": "all" }""", "$.samplePercent")]
    [TestCase("""{ "name": "x", "priority": 1e12 }""", "$.priority")]
    [TestCase("""{ "name": "x", "targeting": {} }""", "$.targeting")]
    [TestCase("""{ "name": "x", """, "$")]
    [TestCase("null", "JSON object")]
    [TestCase("", "JSON object")]
    public async Task Create_WrongTypesOrBrokenJson_Is400NamingThePath(string body, string path)
    {
        var problem = await (await _http.PostAsync("/v1/surveys", Json.Body(body))).AssertProblem(400);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(path));
    }

    [Test]
    public async Task Put_InvalidField_Is400_AndChangesNothing()
    {
        var s = await Create("""{ "name": "Stable", "samplePercent": 40 }""");

        var problem = await (await _http.PutAsync($"/v1/surveys/{s.Id}", Json.Body("""{ "samplePercent": 400, "name": "Changed" }"""))).AssertProblem(400);
        var after = await (await _http.GetAsync($"/v1/surveys/{s.Id}")).ReadJson<SurveyResource>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("errors").TryGetProperty("samplePercent", out _), Is.True);
            Assert.That((after.Name, after.SamplePercent), Is.EqualTo(("Stable", 40.0)));
        }
    }

    long Count()
    {
        using var c = _app.Db.Open();
        return c.ExecuteScalar<long>("SELECT COUNT(*) FROM surveys");
    }
}
