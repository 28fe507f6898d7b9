using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Contract;

/// <summary>
/// A JSON body in another charset than UTF-8, or not JSON at all, is refused with 415 problem+json
/// naming what was sent, on every endpoint that reads a body (public ones included), and logs no error.
/// </summary>
public sealed class ContentTypeTests
{
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;
    readonly ErrorLog _log = new();

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(services: s => s.AddSingleton<ILoggerProvider>(_log));
        _ = _app.Server;
        _ws = _app.CreateWorkspace("Charsets", ["https://app.acme.test"]);
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    [Test]
    public void EveryBodyEndpoint_IsFound() =>
        Assert.That(JsonBodyEndpoints.Of(_app.Services).Select(e => $"{e.Method} {e.Path}"), Is.SupersetOf(new[]
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
        using var http = _app.SecretClient(_ws.SecretKey);
        foreach (var (method, path) in JsonBodyEndpoints.Of(_app.Services))
        {
            var content = new ByteArrayContent("{\"name\":\"x\"}"u8.ToArray());
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });

            var problem = await response.AssertProblem(415);
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(named), $"{method} {path}");
        }
        Assert.That(_log.Errors, Is.Empty);
    }

    [TestCase("application/json")]
    [TestCase("application/json; charset=utf-8")]
    [TestCase("application/json; charset=UTF-8")]
    [TestCase("application/json; charset=\"utf-8\"")]
    [TestCase("application/merge-patch+json")]
    public async Task JsonInUtf8_IsAccepted(string contentType)
    {
        using var http = _app.SecretClient(_ws.SecretKey);
        var content = new ByteArrayContent("{\"productName\":\"Acme ✓\"}"u8.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        var response = await http.PutAsync("/v1/workspace", content);

        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        Assert.That(_log.Errors, Is.Empty);
    }

    [Test]
    public async Task PublicEndpoint_BogusCharset_Is415WithoutAKey()
    {
        using var browser = _app.BrowserClient();
        var content = new ByteArrayContent("{\"displayToken\":\"dt_x\",\"score\":9}"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=bogus");

        var problem = await (await browser.PostAsync("/v1/responses", content)).AssertProblem(415);

        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Unsupported media type"));
        Assert.That(_log.Errors, Is.Empty);
    }
}
