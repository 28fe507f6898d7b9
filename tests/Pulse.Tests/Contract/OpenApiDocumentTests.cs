using System.Text.Json.Nodes;
using Pulse.Tests.Support;

namespace Pulse.Tests.Contract;

/// <summary>What the OpenAPI document must say, item by item (issue 12, "The OpenAPI document tells the truth").</summary>
public sealed class OpenApiDocumentTests
{
    PulseFactory _app = null!;
    JsonObject _document = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory();
        using var http = _app.CreateClient();
        _document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!.AsObject();
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    IEnumerable<(string Name, JsonObject Operation)> Operations(Func<string, string, bool>? filter = null) =>
        from path in _document["paths"]!.AsObject()
        from op in path.Value!.AsObject()
        where filter?.Invoke(path.Key, op.Key) ?? true
        select ($"{op.Key.ToUpperInvariant()} {path.Key}", op.Value!.AsObject());

    static bool SecretKey(string path) =>
        path.StartsWith("/v1/", StringComparison.Ordinal) && path is not ("/v1/eligibility" or "/v1/opt-outs" or "/v1/declines")
        && !(path == "/v1/responses");

    static JsonObject? Response(JsonObject operation, int status) => operation["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] as JsonObject;

    static bool IsProblem(JsonObject? response) =>
        response?["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>() == "#/components/schemas/Problem";

    [Test]
    public void BearerScheme_IsDeclared_AndOnEverySecretKeyOperation_With401()
    {
        Assert.That(_document["components"]?["securitySchemes"]?["secretKey"]?["scheme"]?.GetValue<string>(), Is.EqualTo("bearer"));
        var secured = Operations((path, method) => SecretKey(path) || (path == "/v1/responses" && method == "get")).ToList();
        Assert.That(secured, Has.Count.GreaterThanOrEqualTo(20));
        foreach (var (name, operation) in secured)
        {
            Assert.That(operation["security"]?.ToJsonString(), Does.Contain("secretKey"), name);
            Assert.That(IsProblem(Response(operation, 401)), Is.True, $"{name}: 401 with problem+json");
        }
    }

    [Test]
    public void EveryErrorStatus_HasTheProblemBody_And404sAreDocumented()
    {
        foreach (var (name, operation) in Operations())
            foreach (var (status, response) in operation["responses"]!.AsObject())
                if (int.Parse(status, System.Globalization.CultureInfo.InvariantCulture) >= 400)
                    Assert.That(IsProblem(response!.AsObject()), Is.True, $"{name} {status}");
        foreach (var (name, operation) in Operations((path, _) => path.Contains("{id}", StringComparison.Ordinal)))
            Assert.That(IsProblem(Response(operation, 404)), Is.True, name);
    }

    [Test]
    public void BodyOperations_List400_413_415_AndWritesList503_507WithRetryAfter()
    {
        var bodies = Operations((_, method) => method is "post" or "put").Where(o => o.Operation["requestBody"] is not null).ToList();
        Assert.That(bodies, Has.Count.GreaterThanOrEqualTo(8));
        foreach (var (name, operation) in bodies)
            foreach (var status in new[] { 400, 413, 415 })
                Assert.That(IsProblem(Response(operation, status)), Is.True, $"{name} {status}");
        foreach (var (name, operation) in Operations((path, method) => path.StartsWith("/v1/", StringComparison.Ordinal) && method is "post" or "put" or "delete"))
            foreach (var status in new[] { 503, 507 })
                Assert.That(Response(operation, status)?["headers"]?["Retry-After"], Is.Not.Null, $"{name} {status}");
        foreach (var (name, operation) in Operations((path, _) => path is "/v1/eligibility" or "/v1/responses" or "/v1/declines" or "/v1/opt-outs"))
            Assert.That(Response(operation, 429)?["headers"]?["Retry-After"], Is.Not.Null, $"{name} 429");
    }

    [Test]
    public void NullableProperties_AreOptional()
    {
        foreach (var (name, schema) in _document["components"]!["schemas"]!.AsObject())
        {
            var required = (schema!["required"] as JsonArray)?.Select(r => r!.GetValue<string>()).ToList() ?? [];
            foreach (var (property, definition) in schema["properties"] as JsonObject ?? [])
            {
                var text = definition!.ToJsonString();
                if (text.Contains("\"null\"", StringComparison.Ordinal))
                    Assert.That(required, Does.Not.Contain(property), $"{name}.{property} may be null, so it may be left out");
            }
        }
        Assert.That(_document["components"]!["schemas"]!["SurveyInput"]!["required"], Is.Null, "every survey field is optional");
    }

    [Test]
    public void AnalyticsParameters_AreDocumentedOnce_WithWhere()
    {
        var expected = new Dictionary<string, string[]>
        {
            ["/v1/metrics/nps"] = ["surveyId", "from", "to", "interval", "tz", "groupBy", "bands", "tag", "where"],
            ["/v1/metrics/scores"] = ["surveyId", "from", "to", "where"],
            ["/v1/responses"] = ["surveyId", "category", "from", "to", "q", "withComment", "tag", "cursor", "limit", "where"],
            ["/v1/responses.csv"] = ["surveyId", "category", "from", "to", "q", "withComment", "tag", "where"],
            ["/v1/follow-ups"] = ["status", "assignee", "category", "overdue", "sort", "cursor", "limit", "tag", "responseId", "where"],
            ["/v1/metrics/follow-ups"] = ["surveyId", "from", "to", "groupBy", "where"],
            ["/v1/accounts"] = ["surveyId", "from", "to", "arrThreshold", "npsThreshold", "quadrant", "band", "sort", "limit", "where"],
        };
        foreach (var (path, names) in expected)
        {
            var parameters = _document["paths"]![path]!["get"]!["parameters"]!.AsArray().Select(p => p!.AsObject()).ToList();
            Assert.That(parameters.Select(p => p["name"]!.GetValue<string>()), Is.EquivalentTo(names), path);
            var where = parameters.Single(p => (string?)p["name"] == "where");
            Assert.That((string?)where["style"], Is.EqualTo("deepObject"), path);
            Assert.That(parameters.Where(p => (string?)p["name"] != "where").All(p => p["description"] is not null), Is.True, $"{path}: every parameter says what it does");
        }
        Assert.That(_document["paths"]!["/v1/metrics/scores"]!["get"]!["tags"]![0]!.GetValue<string>(), Is.EqualTo("Analytics"));
    }

    [Test]
    public void CsvExportAndWidgetFiles_HaveTheirMediaTypes()
    {
        Assert.That(Response(_document["paths"]!["/v1/responses.csv"]!["get"]!.AsObject(), 200)?["content"]?["text/csv"], Is.Not.Null);
        foreach (var path in new[] { "/widget/v1/pulse.js", "/widget/v1/pulse.{fingerprint}.js" })
        {
            var operation = _document["paths"]![path]!["get"]!.AsObject();
            Assert.That(Response(operation, 200)?["content"]?["text/javascript"], Is.Not.Null, path);
            Assert.That(Response(operation, 304), Is.Not.Null, path);
        }
    }
}
