using Pulse.Tests.Support;

namespace Pulse.Tests.Contract;

/// <summary>
/// A body is read exactly as sent or refused: a repeated key and, in survey, workspace and webhook
/// bodies, a field the API does not know are 400s naming the field, instead of one value silently winning
/// or the field being dropped.
/// </summary>
public sealed class JsonBodyTests : ContractFixture
{
    async Task<string> Detail(HttpResponseMessage response) => (await response.AssertProblem(400)).GetProperty("detail").GetString()!;

    [Test]
    public async Task DuplicateScore_Is400NamingIt_AndSavesNothing()
    {
        var (_, token) = App.CreateDisplay(Workspace.WorkspaceId, "dup-user");
        using var browser = App.BrowserClient();

        var detail = await Detail(await browser.PostAsync("/v1/responses", Json.Body($$"""{"displayToken":"{{token}}","score":1,"score":10}""")));

        Assert.That(detail, Does.Contain("'$.score'").And.Contain("more than once"));
        var list = await (await Http.GetAsync("/v1/responses")).ReadJson<System.Text.Json.JsonElement>();
        Assert.That(list.GetProperty("items").GetArrayLength(), Is.Zero);
    }

    [TestCase("/v1/surveys", "POST", """{"name":"a","name":"b"}""", "$.name")]
    [TestCase("/v1/workspace", "PUT", """{"fatigueDays":1,"fatigueDays":2}""", "$.fatigueDays")]
    [TestCase("/v1/eligibility", "POST", """{"user":{"id":"a","id":"b"}}""", "$.user.id")]
    [TestCase("/v1/eligibility", "POST", """{"user":{"id":"a","traits":{"plan":"x","plan":"y"}}}""", "$.user.traits.plan")]
    [TestCase("/v1/surveys", "POST", """{"name":"a","theme":{"color":"#000000","color":"#ffffff"}}""", "$.theme.color")]
    public async Task DuplicateKeys_Are400NamingTheField(string path, string method, string body, string field)
    {
        var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json.Body(body) });
        Assert.That(await Detail(response), Does.Contain($"'{field}'").And.Contain("more than once"));
    }

    [TestCase("/v1/surveys", "POST", """{"name":"a","questions":[{"text":"Why?"}]}""", "$.questions")]
    [TestCase("/v1/surveys", "POST", """{"name":"a","flavours":["b"]}""", "$.flavours")]
    [TestCase("/v1/surveys", "POST", """{"name":"a","theme":{"color":"#000000","font":"Comic Sans"}}""", "$.theme.font")]
    [TestCase("/v1/surveys", "POST", """{"name":"a","targeting":[{"trait":"plan","op":"eq","value":"x","weight":2}]}""", "$.targeting[0].weight")]
    [TestCase("/v1/surveys", "POST", """{"name":"a","texts":{"en":{"title":"Hi"}}}""", "$.texts.en.title")]
    [TestCase("/v1/workspace", "PUT", """{"fatigue_days":3}""", "$.fatigue_days")]
    [TestCase("/v1/webhooks", "POST", """{"url":"https://127.0.0.1:9/h","events":["response.created"],"secret":"mine"}""", "$.secret")]
    public async Task UnknownFields_Are400NamingTheField_AndChangeNothing(string path, string method, string body, string field)
    {
        var before = await (await Http.GetAsync("/v1/surveys")).Content.ReadAsStringAsync();
        var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json.Body(body) });

        var detail = await Detail(response);

        Assert.That(detail, Does.Contain($"'{field}'").And.Contain("Unknown field"));
        Assert.That(detail, Does.Not.Contain("Pulse.Api"), "no .NET type name reaches the client");
        Assert.That(await (await Http.GetAsync("/v1/surveys")).Content.ReadAsStringAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task SurveyReadBack_WithItsOwnId_IsAccepted_AnotherIdIsRefused()
    {
        var created = await (await Http.PostAsync("/v1/surveys", Json.Body("""{"name":"Round trip"}"""))).ReadJson<System.Text.Json.Nodes.JsonObject>(201);
        var id = created["id"]!.GetValue<string>();
        created["samplePercent"] = 40;

        var saved = await Http.PutAsync($"/v1/surveys/{id}", Json.Body(created.ToJsonString()));
        Assert.That((int)saved.StatusCode, Is.EqualTo(200), await saved.Content.ReadAsStringAsync());

        created["id"] = "srv_other";
        var problem = await (await Http.PutAsync($"/v1/surveys/{id}", Json.Body(created.ToJsonString()))).AssertProblem(400);
        Assert.That(problem.GetProperty("errors").TryGetProperty("id", out _), Is.True);
        var create = await (await Http.PostAsync("/v1/surveys", Json.Body("""{"id":"srv_mine","name":"x"}"""))).AssertProblem(400);
        Assert.That(create.GetProperty("errors").TryGetProperty("id", out _), Is.True);
    }

    [TestCase("""{ "name": 5 }""", "'$.name': expected a string, got a number")]
    [TestCase("""{ "name": "x", "active": "yes" }""", "'$.active': expected true or false, got a string")]
    [TestCase("""{ "name": "x", "targeting": {} }""", "'$.targeting': expected an array, got an object")]
    [TestCase("""{ "name": "x", "theme": [] }""", "'$.theme': expected an object, got an array")]
    [TestCase("""[1]""", "'$': expected an object, got an array")]
    [TestCase("""{ "name": "\ud800" }""", "'$.name': the string contains an unpaired UTF-16 surrogate")]
    [TestCase("""{ "name": "x", """, "the body is not valid JSON")]
    public async Task WrongTypes_SayWhatWasExpectedAndWhatCame(string body, string expected) =>
        Assert.That(await Detail(await Http.PostAsync("/v1/surveys", Json.Body(body))), Does.Contain(expected));
}
