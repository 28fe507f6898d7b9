using System.Net;
using System.Text.Json;
using Microsoft.OpenApi;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

public sealed class OperationsTests
{
    PulseFactory _app = null!;
    HttpClient _http = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory();
        _http = _app.CreateClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http.Dispose();
        _app.Dispose();
    }

    [Test]
    public async Task Healthz_And_Readyz_Answer200()
    {
        var health = await _http.GetAsync("/healthz");
        var ready = await _http.GetAsync("/readyz");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        var body = await ready.ReadJson<JsonElement>();
        Assert.That(body.GetProperty("schemaVersion").GetInt32(), Is.EqualTo(Pulse.Api.Storage.Migrator.LatestVersion));
    }

    [Test]
    public async Task OpenApiDocument_ParsesAsOpenApi3_WithoutErrors()
    {
        var text = await _http.GetStringAsync("/openapi/v1.json");

        var (document, diagnostic) = OpenApiDocument.Parse(text, "json");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(diagnostic?.Errors, Is.Empty);
            Assert.That(document, Is.Not.Null);
            Assert.That(diagnostic?.SpecificationVersion.ToString(), Does.StartWith("OpenApi3"));
            Assert.That(document!.Paths.Keys, Does.Contain("/v1/workspace"));
        }
    }

    [Test]
    public async Task SwaggerUi_IsServed()
    {
        var page = await _http.GetAsync("/swagger/index.html");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task UnknownRoute_IsProblemJson404()
    {
        var doc = await (await _http.GetAsync("/no/such/thing")).AssertProblem(404);
        Assert.That(doc.GetProperty("instance").GetString(), Is.EqualTo("/no/such/thing"));
    }

    [Test]
    public async Task WrongMethod_IsProblemJson405()
    {
        var response = await _http.DeleteAsync("/healthz");
        await response.AssertProblem(405);
    }
}
