using System.Net.Http.Headers;
using System.Text;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Responses;

/// <summary>
/// The bad-input matrix for <c>POST /v1/responses</c>: every case answers 4xx problem+json and
/// writes nothing. TOKEN in a body stands for a fresh, valid display token.
/// </summary>
public sealed class ResponseBadInputTests
{
    const string Origin = "https://app.acme.test";
    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    HttpClient _browser = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory();
        _ = _app.Server;
        _acme = _app.CreateWorkspace("Acme", [Origin]);
        _browser = _app.BrowserClient(Origin);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _browser.Dispose();
        _app.Dispose();
    }

    static readonly string Long5001 = new('x', 5001);
    static readonly string ElevenAnswers = "{" + string.Join(",", Enumerable.Range(0, 11).Select(i => $"\"q{i}\":\"a\"")) + "}";
    static readonly string DeepNesting = new string('[', 40) + new string(']', 40);

    static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, string json, int status = 400) => new TestCaseData(json, status).SetName("Response_BadInput_" + name);

        // Malformed JSON and the wrong shape of document.
        yield return Case("TruncatedJson", "{ \"displayToken\": \"TOKEN\", \"score\": ");
        yield return Case("TrailingComma", "{ \"displayToken\": \"TOKEN\", \"score\": 9, }");
        yield return Case("Array", "[1, 2, 3]");
        yield return Case("String", "\"TOKEN\"");
        yield return Case("Null", "null");
        yield return Case("Empty", "");
        yield return Case("NotJson", "displayToken=TOKEN&score=9");
        // The score.
        yield return Case("ScoreMissing", """{ "displayToken": "TOKEN" }""");
        yield return Case("ScoreNull", """{ "displayToken": "TOKEN", "score": null }""");
        yield return Case("ScoreMinus1", """{ "displayToken": "TOKEN", "score": -1 }""");
        yield return Case("Score11", """{ "displayToken": "TOKEN", "score": 11 }""");
        yield return Case("ScoreString", """{ "displayToken": "TOKEN", "score": "9" }""");
        yield return Case("ScoreFraction", """{ "displayToken": "TOKEN", "score": 9.5 }""");
        yield return Case("ScoreBool", """{ "displayToken": "TOKEN", "score": true }""");
        yield return Case("ScoreExponent", """{ "displayToken": "TOKEN", "score": 1e3 }""");
        yield return Case("ScoreOverflow", """{ "displayToken": "TOKEN", "score": 99999999999999999999 }""");
        yield return Case("ScoreArray", """{ "displayToken": "TOKEN", "score": [9] }""");
        // The token.
        yield return Case("TokenMissing", """{ "score": 9 }""");
        yield return Case("TokenEmpty", """{ "displayToken": "", "score": 9 }""");
        yield return Case("TokenNumber", """{ "displayToken": 12345, "score": 9 }""");
        yield return Case("TokenObject", """{ "displayToken": { "id": 1 }, "score": 9 }""");
        yield return Case("TokenSql", """{ "displayToken": "dt_' OR '1'='1' --", "score": 9 }""", 404);
        yield return Case("TokenHtml", """{ "displayToken": "<script>alert(1)</script>", "score": 9 }""", 404);
        yield return Case("TokenSecretKeyShaped", """{ "displayToken": "sk_0000000000000000000000000000000000000000", "score": 9 }""", 404);
        // The site key: SQL and HTML never match the token's workspace.
        yield return Case("SiteKeySql", """{ "displayToken": "TOKEN", "score": 9, "siteKey": "pk_'; DROP TABLE responses; --" }""", 403);
        yield return Case("SiteKeyHtml", """{ "displayToken": "TOKEN", "score": 9, "siteKey": "<b>pk_x</b>" }""", 403);
        // The comment.
        yield return Case("Comment5001", $$"""{ "displayToken": "TOKEN", "score": 9, "comment": "{{Long5001}}" }""");
        yield return Case("CommentNumber", """{ "displayToken": "TOKEN", "score": 9, "comment": 5 }""");
        yield return Case("CommentObject", """{ "displayToken": "TOKEN", "score": 9, "comment": { "text": "x" } }""");
        yield return Case("CommentNulChar", """{ "displayToken": "TOKEN", "score": 9, "comment": "a\u0000b" }""");
        yield return Case("CommentEscapeChar", """{ "displayToken": "TOKEN", "score": 9, "comment": "\u001b[31mred" }""");
        // Follow-up answers.
        yield return Case("FollowUpString", """{ "displayToken": "TOKEN", "score": 9, "followUp": "fast" }""");
        yield return Case("FollowUpArray", """{ "displayToken": "TOKEN", "score": 9, "followUp": ["fast"] }""");
        yield return Case("FollowUpNumberValue", """{ "displayToken": "TOKEN", "score": 9, "followUp": { "why": 1 } }""");
        yield return Case("FollowUpNestedValue", """{ "displayToken": "TOKEN", "score": 9, "followUp": { "why": { "a": "b" } } }""");
        yield return Case("FollowUpNullValue", """{ "displayToken": "TOKEN", "score": 9, "followUp": { "why": null } }""");
        yield return Case("FollowUpElevenAnswers", $$"""{ "displayToken": "TOKEN", "score": 9, "followUp": {{ElevenAnswers}} }""");
        yield return Case("FollowUpHtmlKey", """{ "displayToken": "TOKEN", "score": 9, "followUp": { "<img src=x>": "a" } }""");
        yield return Case("FollowUpSqlKey", """{ "displayToken": "TOKEN", "score": 9, "followUp": { "x' OR 1=1 --": "a" } }""");
        yield return Case("FollowUpEmptyKey", """{ "displayToken": "TOKEN", "score": 9, "followUp": { "": "a" } }""");
        yield return Case("FollowUpLongAnswer", $$"""{ "displayToken": "TOKEN", "score": 9, "followUp": { "why": "{{new string('y', 1001)}}" } }""");
        yield return Case("DeepNesting", $$"""{ "displayToken": "TOKEN", "score": 9, "extra": {{DeepNesting}} }""");
        // Bodies over the limit.
        yield return Case("HugeComment", $$"""{ "displayToken": "TOKEN", "score": 9, "comment": "{{new string('z', 300_000)}}" }""", 413);
    }

    (long Id, string Token) NewDisplay()
    {
        var (display, token) = _app.CreateDisplay(_acme.WorkspaceId, "u-" + Guid.NewGuid().ToString("n")[..8]);
        return (display.Id, token);
    }

    async Task AssertNothingWritten(long displayId, long responsesBefore, Func<Task<HttpResponseMessage>> send, int status)
    {
        var response = await send();
        var body = await response.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(status), body);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
            Assert.That(_app.Count("responses"), Is.EqualTo(responsesBefore));
            Assert.That(_app.Count($"displays WHERE id = {displayId} AND answered_at IS NULL"), Is.EqualTo(1));
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Response_BadInput_Is4xxProblemAndWritesNothing(string json, int status)
    {
        var (id, token) = NewDisplay();
        var before = _app.Count("responses");
        await AssertNothingWritten(id, before, () => _browser.PostAsync("/v1/responses", Json.Body(json.Replace("TOKEN", token))), status);
    }

    [Test]
    public async Task Response_ValidJsonAsTextPlain_Is415()
    {
        var (id, token) = NewDisplay();
        var content = new StringContent($$"""{ "displayToken": "{{token}}", "score": 9 }""", Encoding.UTF8, "text/plain");
        await AssertNothingWritten(id, _app.Count("responses"), () => _browser.PostAsync("/v1/responses", content), 415);
    }

    [Test]
    public async Task Response_HugeChunkedBody_Is413()
    {
        var (id, token) = NewDisplay();
        var bytes = Encoding.UTF8.GetBytes($$"""{ "displayToken": "{{token}}", "score": 9, "comment": "{{new string('z', 1_000_000)}}" }""");
        var content = new StreamContent(new MemoryStream(bytes));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/responses") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("Origin", Origin);

        using var http = _app.CreateClient();
        await AssertNothingWritten(id, _app.Count("responses"), () => http.SendAsync(request), 413);
    }
}
