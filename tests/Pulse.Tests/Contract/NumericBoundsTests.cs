using System.Text.Json;
using Pulse.Tests.Support;

namespace Pulse.Tests.Contract;

/// <summary>
/// Every numeric field of every body and query, at the bounds of its type and past them: a 400 that
/// names the field (or a success where the value is allowed), never a 500, and nothing logged as an error.
/// </summary>
public sealed class NumericBoundsTests : ContractFixture
{
    string _surveyId = null!;

    /// <summary>int and long bounds, just past them, a fraction, and numbers a double cannot hold (JSON has no NaN/Infinity literals).</summary>
    public static readonly string[] Edges =
    [
        "-2147483648", "2147483647", "-2147483649", "2147483648", "-9223372036854775808", "9223372036854775807",
        "9223372036854775808", "1.5", "-0.0", "1e308", "1e400", "-1e400", "1e-400",
    ];

    static readonly string[] SurveyFields =
        ["priority", "firstSurveyDelayDays", "resurveyDays", "declineCooldownDays", "reshowAfterIgnoredDays", "samplePercent", "dailyCap"];

    [OneTimeSetUp]
    public async Task CreateSurvey()
    {
        var created = await Http.PostAsync("/v1/surveys", Json.Body("""{"name":"Bounds"}"""));
        _surveyId = (await created.ReadJson<JsonElement>(201)).GetProperty("id").GetString()!;
    }

    /// <summary>The answer is a success, or a 400 problem whose text names <paramref name="field"/>.</summary>
    static async Task AssertRefusedByName(HttpResponseMessage response, string field, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        Assert.That(status, Is.LessThan(500), $"{what}: {body}");
        if (status >= 300)
        {
            Assert.That(status, Is.EqualTo(400), $"{what}: {body}");
            Assert.That(body, Does.Contain(field), what);
        }
    }

    [Test]
    public async Task PriorityIntMinValue_WasA500_IsA400NamingPriority([Values("POST", "PUT")] string method)
    {
        var path = method == "POST" ? "/v1/surveys" : $"/v1/surveys/{_surveyId}";
        var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json.Body("""{"name":"x","priority":-2147483648}""") });
        var problem = await response.AssertProblem(400);
        Assert.That(problem.GetProperty("errors").TryGetProperty("priority", out _), Is.True, problem.GetRawText());
    }

    [Test]
    public async Task SurveyFields_AtEveryEdge_AreRefusedByName_OrAccepted([ValueSource(nameof(Edges))] string value)
    {
        foreach (var field in SurveyFields)
        {
            await AssertRefusedByName(await Http.PostAsync("/v1/surveys", Json.Body($$"""{"name":"x","{{field}}":{{value}}}""")), field, $"POST {field}={value}");
            await AssertRefusedByName(await Http.PutAsync($"/v1/surveys/{_surveyId}", Json.Body($$"""{"{{field}}":{{value}}}""")), field, $"PUT {field}={value}");
        }
        var targeting = $$"""{"targeting":[{"trait":"arr","op":"gte","value":{{value}}},{"trait":"seats","op":"in","values":[{{value}}]}]}""";
        await AssertRefusedByName(await Http.PutAsync($"/v1/surveys/{_surveyId}", Json.Body(targeting)), "targeting", $"targeting {value}");
    }

    [Test]
    public async Task WorkspaceAndResponseAndEligibilityNumbers_AtEveryEdge_AreRefusedByName_OrAccepted([ValueSource(nameof(Edges))] string value)
    {
        await AssertRefusedByName(await Http.PutAsync("/v1/workspace", Json.Body($$"""{"fatigueDays":{{value}}}""")), "fatigueDays", $"fatigueDays={value}");

        var (_, token) = App.CreateDisplay(Workspace.WorkspaceId, $"u-{Guid.NewGuid():N}");
        using var browser = App.BrowserClient();
        await AssertRefusedByName(await browser.PostAsync("/v1/responses", Json.Body($$"""{"displayToken":"{{token}}","score":{{value}}}""")), "score", $"score={value}");

        var eligibility = $$"""{"siteKey":"{{Workspace.SiteKey}}","user":{"id":"u-bounds","traits":{"arr":{{value}}""" + "}}}";
        await AssertRefusedByName(await browser.PostAsync("/v1/eligibility", Json.Body(eligibility)), "arr", $"traits.arr={value}");
    }

    [Test]
    public async Task NumericQueryParameters_AtEveryEdge_AreRefusedByName_OrAccepted(
        [Values("-2147483648", "2147483648", "9223372036854775808", "1e400", "NaN", "Infinity", "-Infinity", "1.5", "0x10")] string value)
    {
        var webhook = await Http.PostAsync("/v1/webhooks", Json.Of(new { url = "https://127.0.0.1:9/hook", events = new[] { "response.created" } }));
        var webhookId = (await webhook.ReadJson<JsonElement>(201)).GetProperty("id").GetString();
        var escaped = Uri.EscapeDataString(value);
        foreach (var (path, name) in new[]
        {
            ($"/v1/responses?limit={escaped}", "limit"),
            ($"/v1/accounts?limit={escaped}", "limit"),
            ($"/v1/accounts?arrThreshold={escaped}", "arrThreshold"),
            ($"/v1/accounts?npsThreshold={escaped}", "npsThreshold"),
            ($"/v1/webhooks/{webhookId}/deliveries?limit={escaped}", "limit"),
            ($"/v1/webhooks/{webhookId}/deliveries?cursor={escaped}", "cursor"),
        })
            await AssertRefusedByName(await Http.GetAsync(path), name, path);

        var retry = await Http.PostAsync($"/v1/webhooks/{webhookId}/deliveries/{escaped}/retry", null);
        Assert.That((int)retry.StatusCode, Is.EqualTo(404), "a delivery id that is no long matches no route");
    }
}
