using System.Net.Http.Headers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Contract;

/// <summary>
/// A JSON body in another charset than UTF-8, or not JSON at all, is refused with 415 problem+json
/// naming what was sent, on every endpoint that reads a body (public ones included), and logs no error.
/// </summary>
public sealed class ContentTypeTests : ContractFixture
{
    [Test]
    public void EveryBodyEndpoint_IsFound() =>
        Assert.That(JsonBodyEndpoints.Of(App.Services).Select(e => $"{e.Method} {e.Path}"), Is.SupersetOf(new[]
        {
            "POST /v1/surveys", "PUT /v1/surveys/x", "PUT /v1/workspace", "POST /v1/webhooks",
            "POST /v1/eligibility", "POST /v1/responses", "POST /v1/declines", "POST /v1/opt-outs",
        }));

    [TestCase("application/json; charset=bogus", "bogus")]
    [TestCase("application/json; charset=utf-7", "utf-7")]
    [TestCase("application/json; charset=", "''")]
    [TestCase("application/json; charset=utf-16", "utf-16")]
    [TestCase("application/json; charset=\"latin1\"", "latin1")]
    [TestCase("text/plain", "text/plain")]
    [TestCase("application/x-www-form-urlencoded", "application/x-www-form-urlencoded")]
    public async Task OtherCharsetOrMediaType_Is415NamingIt_OnEveryBodyEndpoint_AndLogsNoError(string contentType, string named)
    {
        foreach (var (method, path) in JsonBodyEndpoints.Of(App.Services))
        {
            var content = new ByteArrayContent("{\"name\":\"x\"}"u8.ToArray());
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });

            var problem = await response.AssertProblem(415);
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(named), $"{method} {path}");
        }
    }

    [TestCase("application/json")]
    [TestCase("application/json; charset=utf-8")]
    [TestCase("application/json; charset=UTF-8")]
    [TestCase("application/json; charset=\"utf-8\"")]
    [TestCase("application/merge-patch+json")]
    public async Task JsonInUtf8_IsAccepted(string contentType)
    {
        var content = new ByteArrayContent("{\"productName\":\"Acme ✓\"}"u8.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await Http.PutAsync("/v1/workspace", content);

        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task PublicEndpoint_BogusCharset_Is415WithoutAKey()
    {
        using var browser = App.BrowserClient();
        var content = new ByteArrayContent("{\"displayToken\":\"dt_x\",\"score\":9}"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=bogus");

        var problem = await (await browser.PostAsync("/v1/responses", content)).AssertProblem(415);

        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Unsupported media type"));
    }
}
