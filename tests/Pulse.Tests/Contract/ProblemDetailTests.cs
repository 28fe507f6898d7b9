using System.Text.Json;
using Pulse.Api.Operations;
using Pulse.Tests.Support;

namespace Pulse.Tests.Contract;

/// <summary>Every problem says what to do (a detail), with one title per status, in plain sentences.</summary>
public sealed class ProblemDetailTests : ContractFixture
{
    [TestCase("GET", "/v1/surveys/srv_nope", "survey 'srv_nope'")]
    [TestCase("PUT", "/v1/surveys/srv_nope", "survey 'srv_nope'")]
    [TestCase("DELETE", "/v1/surveys/srv_nope", "survey 'srv_nope'")]
    [TestCase("GET", "/v1/webhooks/wh_nope", "webhook 'wh_nope'")]
    [TestCase("DELETE", "/v1/webhooks/wh_nope", "webhook 'wh_nope'")]
    [TestCase("GET", "/v1/webhooks/wh_nope/deliveries", "webhook 'wh_nope'")]
    [TestCase("POST", "/v1/webhooks/wh_nope/test", "webhook 'wh_nope'")]
    [TestCase("POST", "/v1/webhooks/wh_nope/rotate-secret", "webhook 'wh_nope'")]
    [TestCase("POST", "/v1/webhooks/wh_nope/deliveries/1/retry", "wh_nope")]
    [TestCase("GET", "/v1/metrics/nps?surveyId=srv_nope", "survey 'srv_nope'")]
    [TestCase("GET", "/v1/metrics/scores?surveyId=srv_nope", "survey 'srv_nope'")]
    [TestCase("GET", "/v1/responses?surveyId=srv_nope", "survey 'srv_nope'")]
    [TestCase("GET", "/v1/nothing-here", "GET /v1/nothing-here")]
    [TestCase("GET", "/dashboard/assets/nope.js", "nope.js")]
    public async Task NotFound_NamesWhatIsMissing_AndWhatToDo(string method, string path, string names)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "PUT")
            request.Content = Json.Body("""{"name":"x"}""");

        var problem = await (await Http.SendAsync(request)).AssertProblem(404);

        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Not found"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(names).And.Contain("; "), "names the thing, then what to do");
    }

    [TestCase("DELETE", "/v1/workspace", 405)]
    [TestCase("GET", "/v1/surveys", 401)]
    public async Task FrameworkProblems_HaveADetailAndTheOneTitle(string method, string path, int status)
    {
        using var anonymous = App.CreateClient();
        var client = status == 401 ? anonymous : Http;

        var problem = await (await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path))).AssertProblem(status);

        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo(Problems.Title(status)));
        Assert.That(problem.GetProperty("detail").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task ValidationProblems_HaveADetail_AndRuleMessagesSayWhatToDo_WithoutFieldNames()
    {
        var body = """{"name":"","priority":5000,"samplePercent":101,"dailyCap":-1,"firstSurveyDelayDays":-1,"theme":{"color":"red","position":"middle"}}""";

        var problem = await (await Http.PostAsync("/v1/surveys", Json.Body(body))).AssertProblem(400);

        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Bad request"));
        Assert.That(problem.GetProperty("detail").GetString(), Is.Not.Empty);
        foreach (var field in problem.GetProperty("errors").EnumerateObject())
        {
            var message = field.Value[0].GetString()!;
            Assert.That(message, Does.Match("^(Give|Choose|Leave|Keep|Write|Name)"), $"{field.Name}: '{message}' says what to do");
            Assert.That(message, Does.Not.Contain("samplePercent").And.Not.Contain("dailyCap").And.Not.Contain("firstSurveyDelayDays"),
                "the dashboard shows these sentences next to its own labels");
        }
    }

    [Test]
    public async Task WebhookEventTypes_UseTheRightArticle()
    {
        var problem = await (await Http.PostAsync("/v1/webhooks", Json.Of(new { url = "https://127.0.0.1:9/h", events = new[] { "answer" } }))).AssertProblem(400);

        var message = problem.GetProperty("errors").GetProperty("events[0]")[0].GetString();
        Assert.That(message, Does.Contain("is not an event type").And.Not.Contain("a event"));
    }

    [Test]
    public async Task EveryTitle_IsOneOfTheTable()
    {
        var titles = new HashSet<string>();
        foreach (var (method, path) in new[] { ("GET", "/v1/surveys/x"), ("GET", "/v1/nope"), ("POST", "/v1/surveys") })
        {
            var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? Json.Body("{}") : null });
            var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            titles.Add(doc.GetProperty("title").GetString()!);
        }
        Assert.That(titles, Is.SubsetOf(new[] { "Not found", "Bad request" }));
    }
}
