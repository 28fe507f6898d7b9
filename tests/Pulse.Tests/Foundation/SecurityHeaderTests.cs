using System.Net;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>Headers on every response, whoever wrote it; HSTS over https; no Server header; Swagger UI only where enabled.</summary>
public sealed class SecurityHeaderTests
{
    PulseFactory _app = null!;
    HttpClient _http = null!;
    string _secretKey = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory();
        _ = _app.Server;
        _secretKey = _app.CreateWorkspace().SecretKey;
        _http = _app.CreateClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _app.Dispose();
    }

    async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? body = null, bool withKey = false)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = Json.Body(body);
        if (withKey)
            request.Headers.Authorization = new("Bearer", _secretKey);
        return await _http.SendAsync(request);
    }

    static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    [TestCase("GET", "/healthz", null, false, 200, "application/json")]
    [TestCase("GET", "/v1/workspace", null, true, 200, "application/json")]
    [TestCase("GET", "/v1/nothing-here", null, false, 404, "application/problem+json")]
    [TestCase("GET", "/v1/workspace", null, false, 401, "application/problem+json")]
    [TestCase("PUT", "/v1/workspace", """{ "fatigueDays": -1 }""", true, 400, "application/problem+json")]
    [TestCase("POST", "/v1/eligibility", "{ \"user\": ", false, 400, "application/problem+json")]
    [TestCase("POST", "/healthz", null, false, 405, "application/problem+json")]
    [TestCase("GET", "/v1/responses.csv", null, true, 200, "text/csv")]
    [TestCase("GET", "/widget/v1/pulse.js", null, false, 200, "text/javascript")]
    [TestCase("GET", "/dashboard", null, false, 200, "text/html")]
    [TestCase("GET", "/openapi/v1.json", null, false, 200, "application/json")]
    [TestCase("GET", "/swagger/index.html", null, false, 200, "text/html")]
    public async Task EveryResponse_IsNosniff(string method, string path, string? body, bool withKey, int status, string type)
    {
        using var response = await Send(new HttpMethod(method), path, body, withKey);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(status));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(type));
            Assert.That(Header(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
        }
    }

    [Test]
    public async Task RateLimitedAndTooLargeAnswers_AreNosniffToo()
    {
        using var limited = new PulseFactory(new Dictionary<string, string?> { ["RateLimiting:PerClientPerMinute"] = "1" });
        using var http = limited.CreateClient();
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
            answers.Add(await http.PostAsync("/v1/responses", Json.Of(new { displayToken = "dt_x", score = 1 })));
        var tooLarge = await _http.PutAsync("/v1/workspace", Json.Body("{ \"name\": \"" + new string('x', 20_000) + "\" }"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answers.Select(a => (int)a.StatusCode), Does.Contain(429));
            Assert.That(answers.Select(a => Header(a, "X-Content-Type-Options")), Is.All.EqualTo("nosniff"));
            Assert.That((int)tooLarge.StatusCode, Is.EqualTo(413));
            Assert.That(Header(tooLarge, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
        }
    }

    [TestCase("/openapi/v1.json")]
    [TestCase("/swagger/index.html")]
    [TestCase("/swagger")]
    public async Task TheOpenApiDocumentAndSwaggerUi_CannotBeFramed(string path)
    {
        using var response = await _http.GetAsync(path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Header(response, "X-Frame-Options"), Is.EqualTo("DENY"));
            Assert.That(Header(response, "Content-Security-Policy"), Does.Contain("frame-ancestors 'none'"));
        }
    }

    [Test]
    public async Task TheDashboard_KeepsItsOwnPolicy()
    {
        using var response = await _http.GetAsync("/dashboard");
        Assert.That(Header(response, "Content-Security-Policy"), Is.EqualTo(Pulse.Api.Dashboard.DashboardEndpoints.ContentSecurityPolicy));
    }

    [TestCase("Testing", "https", true)]
    [TestCase("Production", "https", true)]
    [TestCase("Production", "http", false)]
    [TestCase("Development", "https", false)]
    public async Task Hsts_IsSentOverHttps_OutsideDevelopment(string environment, string scheme, bool expected)
    {
        using var app = new PulseFactory(environment: environment);
        using var http = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri($"{scheme}://pulse.example.test"),
        });

        using var response = await http.GetAsync("/healthz");

        Assert.That(Header(response, "Strict-Transport-Security"), expected ? Does.StartWith("max-age=31536000") : Is.Null);
    }

    [Test]
    public async Task OnARealSocket_NoServerHeaderNamesTheServer()
    {
        using var app = new PulseFactory();
        var address = app.StartKestrel();
        using var http = new HttpClient { BaseAddress = address };

        using var ok = await http.GetAsync("/healthz");
        using var missing = await http.GetAsync("/nothing");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok.Headers.Server, Is.Empty);
            Assert.That(missing.Headers.Server, Is.Empty);
            Assert.That(Header(ok, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
        }
    }

    [TestCase("Production", null, HttpStatusCode.NotFound)]
    [TestCase("Production", "true", HttpStatusCode.OK)]
    [TestCase("Staging", null, HttpStatusCode.OK)]
    [TestCase("Testing", "false", HttpStatusCode.NotFound)]
    public async Task SwaggerUi_IsOffInProduction_UnlessEnabled(string environment, string? enabled, HttpStatusCode expected)
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Swagger:Enabled"] = enabled }, environment: environment);
        using var http = app.CreateClient();

        using var ui = await http.GetAsync("/swagger/index.html");
        using var document = await http.GetAsync("/openapi/v1.json");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ui.StatusCode, Is.EqualTo(expected));
            Assert.That(document.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the OpenAPI document stays available");
        }
    }
}
