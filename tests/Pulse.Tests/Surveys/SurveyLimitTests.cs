using System.Text.Json;
using Pulse.Api.Storage;
using Pulse.Api.Surveys;
using Pulse.Tests.Support;

namespace Pulse.Tests.Surveys;

/// <summary>How much one workspace may put into its surveys: counts (409) and the size of each survey (400), each named.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class SurveyLimitTests(StorageProvider provider)
{
    PulseFactory _app = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(new Dictionary<string, string?> { ["Surveys:MaxPerWorkspace"] = "60" }, provider: provider);
        _ = _app.Server;
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    HttpClient NewWorkspace() => _app.SecretClient(_app.CreateWorkspace().SecretKey);

    static Task<HttpResponseMessage> Create(HttpClient http, object body) => http.PostAsync("/v1/surveys", Json.Of(body));

    static async Task<int> Surveys(HttpClient http) =>
        (await (await http.GetAsync("/v1/surveys")).ReadJson<SurveyList>()).Items.Count;

    [Test]
    public async Task The51stActiveSurvey_Is409NamingTheLimit_AndAPausedOneCannotBeActivated()
    {
        using var http = NewWorkspace();
        for (var i = 1; i < 50; i++)
            Assert.That((int)(await Create(http, new { name = $"S{i}" })).StatusCode, Is.EqualTo(201));

        var refused = await Create(http, new { name = "One too many" });
        var paused = await (await Create(http, new { name = "Paused", active = false })).ReadJson<SurveyResource>(201);
        var activate = await http.PutAsync($"/v1/surveys/{paused.Id}", Json.Of(new { active = true }));

        var doc = await refused.AssertProblem(409);
        var activation = await activate.AssertProblem(409);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(doc.GetProperty("limit").GetString(), Is.EqualTo("Surveys:MaxActivePerWorkspace"));
            Assert.That(doc.GetProperty("max").GetInt32(), Is.EqualTo(50));
            Assert.That(doc.GetProperty("detail").GetString(), Does.Contain("50 active surveys").And.Contain("\"active\": false"));
            Assert.That(activation.GetProperty("limit").GetString(), Is.EqualTo("Surveys:MaxActivePerWorkspace"));
            Assert.That(await Surveys(http), Is.EqualTo(51), "the refused survey was not created");
            Assert.That((await (await http.GetAsync($"/v1/surveys/{paused.Id}")).ReadJson<SurveyResource>()).Active, Is.False);
        }
    }

    [Test]
    public async Task ConcurrentCreates_NeverPassTheActiveLimit()
    {
        using var http = NewWorkspace();
        for (var i = 1; i < 48; i++)
            Assert.That((int)(await Create(http, new { name = $"S{i}" })).StatusCode, Is.EqualTo(201));

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Create(http, new { name = $"Race {i}" })));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers.Count(a => (int)a.StatusCode == 201), Is.EqualTo(2));
            Assert.That(answers.Count(a => (int)a.StatusCode == 409), Is.EqualTo(8));
            Assert.That(await Surveys(http), Is.EqualTo(50));
        }
    }

    [Test]
    public async Task SurveysInAll_AreCappedToo_PausedOnesIncluded()
    {
        using var http = NewWorkspace();
        for (var i = 1; i < 60; i++)
            Assert.That((int)(await Create(http, new { name = $"P{i}", active = false })).StatusCode, Is.EqualTo(201));

        var doc = await (await Create(http, new { name = "Sixty-first", active = false })).AssertProblem(409);

        Assert.That(doc.GetProperty("limit").GetString(), Is.EqualTo("Surveys:MaxPerWorkspace"));
    }

    [Test]
    public async Task TwentyOneTargetingRules_Is400NamingTargeting()
    {
        using var http = NewWorkspace();
        var rules = Enumerable.Range(0, 21).Select(i => new { trait = $"t{i}", op = "exists" }).ToArray();

        var doc = await (await Create(http, new { name = "Too picky", targeting = rules })).AssertProblem(400);

        Assert.That(doc.GetProperty("errors").GetProperty("targeting")[0].GetString(), Does.Contain("at most 20"));
    }

    [Test]
    public async Task AHundredAndOneValuesInARule_Is400NamingTheRule()
    {
        using var http = NewWorkspace();
        var rule = new { trait = "plan", op = "in", values = Enumerable.Range(0, 101).Select(i => $"p{i}").ToArray() };

        var doc = await (await Create(http, new { name = "Long list", targeting = new[] { rule } })).AssertProblem(400);

        Assert.That(doc.GetProperty("errors").GetProperty("targeting[0].values")[0].GetString(), Does.Contain("1 to 100"));
    }

    [Test]
    public async Task ASurveyOver64KiB_Is400NamingTheLimit_OnCreateAndOnUpdate()
    {
        using var http = NewWorkspace();
        var longText = new string('x', SurveyValidation.MaxTextLength);
        object Texts(params string[] locales) => locales.ToDictionary(l => l, _ => new
        {
            question = longText, low = longText, high = longText, placeholder = longText, submit = longText,
            dismiss = longText, thanks = longText, followUp = new { promoter = longText, passive = longText, detractor = longText },
        });
        var atTheLimit = await (await Create(http, SurveysAtTheLimits.Body(1))).ReadJson<SurveyResource>(201);

        // 10 texts of 1,000 characters per locale: 7 locales alone weigh 70 KB; 2 more push the heavy survey over.
        var created = await Create(http, new { name = "Verbose", texts = Texts("en", "de", "fr", "es", "it", "nl", "sv") });
        var updated = await http.PutAsync($"/v1/surveys/{atTheLimit.Id}", Json.Of(new { texts = Texts("en", "de") }));

        var doc = await created.AssertProblem(400);
        var update = await updated.AssertProblem(400);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(doc.GetProperty("errors").GetProperty("survey")[0].GetString(), Does.Contain("at most 65536 (64 KiB)"));
            Assert.That(update.GetProperty("errors").GetProperty("survey")[0].GetString(), Does.Contain("64 KiB"));
            Assert.That(JsonSerializer.SerializeToUtf8Bytes(atTheLimit, Json.Options), Has.Length.LessThanOrEqualTo(SurveyValidation.MaxSurveyBytes));
            Assert.That(await Surveys(http), Is.EqualTo(2));
        }
    }

    [TestCase("NPS\u001b[2J")]
    [TestCase("NPS\nsecond line")]
    public async Task ControlCharactersInASurveyName_Are400NamingIt(string name)
    {
        using var http = NewWorkspace();

        var doc = await (await Create(http, new { name })).AssertProblem(400);

        Assert.That(doc.GetProperty("errors").GetProperty("name")[0].GetString(), Does.Contain("control characters"));
    }
}
