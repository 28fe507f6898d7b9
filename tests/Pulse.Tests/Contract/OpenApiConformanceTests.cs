using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Pulse.Api.Access;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Contract;

/// <summary>
/// The OpenAPI document tells the truth. Requests are generated from it for every operation — a
/// valid one, and invalid ones: no key, unknown ids, junk in every documented query parameter,
/// every body property with the wrong type, an unknown field, a repeated key, another charset and
/// an oversized body — and every answer is checked against it: the status is listed, the content
/// type is listed for that status, and a JSON body matches the schema (JsonSchema.Net, draft 2020-12).
/// </summary>
public sealed class OpenApiConformanceTests
{
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;
    HttpClient _secret = null!;
    HttpClient _anonymous = null!;
    JsonObject _document = null!;
    readonly List<string> _violations = [];
    readonly Dictionary<string, int> _checked = [];
    int _schemas;

    const string Origin = "https://app.acme.test";

    [OneTimeSetUp]
    public async Task Start()
    {
        // Email on, to a loopback port nobody listens on, one attempt: invitations' emails fail at once (RetryEmailDelivery).
        _app = new PulseFactory(new Dictionary<string, string?>
        {
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = ApiProcess.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture),
            ["Email:Smtp:UseStartTls"] = "false",
            ["Email:Smtp:From"] = "pulse@contract.test",
            ["Email:MaxAttempts"] = "1",
        });
        _ = _app.Server;
        _ws = _app.CreateWorkspace("Contract", [Origin], requireUserHash: false);
        _secret = _app.SecretClient(_ws.SecretKey);
        _anonymous = _app.CreateClient();
        _document = JsonNode.Parse(await _anonymous.GetStringAsync("/openapi/v1.json"))!.AsObject();

        // Some answers to read back: a few responses with traits.
        for (var i = 0; i < 3; i++)
        {
            var (_, token) = _app.CreateDisplay(_ws.WorkspaceId, $"seed-{i}", traitsJson: """{"plan":"premium","accountId":"acme","arr":1000}""");
            using var browser = _app.BrowserClient(Origin);
            (await browser.PostAsync("/v1/responses", Json.Body($$"""{"displayToken":"{{token}}","score":{{8 + i}},"comment":"ok"}"""))).EnsureSuccessStatusCode();
        }
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _secret.Dispose();
        _anonymous.Dispose();
        _app.Dispose();
    }

    sealed record Example(string? Body = null, string Query = "", bool Browser = false, IReadOnlyDictionary<string, string>? Path = null);

    IEnumerable<(string Path, string Method, JsonObject Operation)> Operations() =>
        from path in _document["paths"]!.AsObject()
        from op in path.Value!.AsObject()
        where op.Key != "parameters"
        select (path.Key, op.Key.ToUpperInvariant(), op.Value!.AsObject());

    /// <summary>A valid request per operation: the values the document cannot know (ids that exist, a token just issued).</summary>
    async Task<Example> Valid(string operationId)
    {
        switch (operationId)
        {
            case "UpdateWorkspace": return new("""{"productName":"Acme"}""");
            case "CreateSurvey": return new("""{"name":"Support NPS","trigger":"support_case_closed","priority":10}""");
            case "GetSurvey" or "UpdateSurvey": return new(operationId == "UpdateSurvey" ? """{"samplePercent":50}""" : null, Path: Ids(id: await NewSurvey()));
            case "DeleteSurvey": return new(Path: Ids(id: await NewSurvey()));
            case "CheckEligibility":
                return new($$"""{"siteKey":"{{_ws.SiteKey}}","user":{"id":"u-{{Guid.NewGuid():N}}","createdAt":"2020-01-01T00:00:00Z","traits":{"plan":"premium"}""" + "}}",
                    Browser: true);
            case "SaveResponse": return new($$"""{"displayToken":"{{NewToken()}}","score":9,"comment":"Great"}""", Browser: true);
            case "DeclineSurvey": return new($$"""{"displayToken":"{{NewToken()}}"}""", Browser: true);
            case "OptOut": return new("""{"userId":"u-opt"}""");
            case "CreateSurveyLink":
                return new($$"""{"user":{"id":"u-link-{{Guid.NewGuid():N}}","createdAt":"2020-01-01T00:00:00Z"},"channel":"email"}""");
            case "SendSurveyEmails":
                return new($$"""{"users":[{"id":"u-mail-{{Guid.NewGuid():N}}","email":"mail@acme.test","createdAt":"2020-01-01T00:00:00Z"}]}""",
                    Path: Ids(id: await NewSurvey()));
            case "EraseUser": return new(Path: Ids(id: "seed-0"));
            case "CreateWebhook": return new("""{"url":"https://127.0.0.1:9/hook","events":["response.created","follow_up.overdue"],"where":{"plan":"premium"}}""");
            case "GetWebhook" or "DeleteWebhook" or "ListWebhookDeliveries" or "TestWebhook" or "RotateWebhookSecret":
                return new(Path: Ids(id: await NewWebhook()));
            case "UpdateWebhook": return new("""{"where":{"plan":"enterprise"},"categories":null}""", Path: Ids(id: await NewWebhook()));
            case "RetryWebhookDelivery":
                var webhook = await NewWebhook();
                var ping = await (await _secret.PostAsync($"/v1/webhooks/{webhook}/test", null)).ReadJson<JsonElement>(202);
                return new(Path: new Dictionary<string, string> { ["id"] = webhook, ["deliveryId"] = ping.GetProperty("deliveryId").ToString() });
            case "GetNps" or "GetEnps" or "GetCsat" or "GetCes": return new(Query: "?interval=month&groupBy=plan&where%5Bplan%5D=premium&from=2020-01-01");
            case "GetScoreDistribution" or "ListAccounts": return new(Query: "?where%5Bplan%5D=premium&from=2020-01-01");
            case "GetReasons": return new(Query: "?category=detractor&groupBy=plan&where%5Bplan%5D=premium&from=2020-01-01");
            case "ListResponses" or "ExportResponses": return new(Query: "?category=promoter,passive&where%5Bplan%5D=premium");
            case "WidgetScriptPinned":
                var manifest = await (await _anonymous.GetAsync("/widget/v1/manifest.json")).ReadJson<JsonElement>();
                return new(Path: new Dictionary<string, string> { ["fingerprint"] = manifest.GetProperty("fingerprint").GetString()! });
            case "CreateKey": return new("""{"name":"Contract key"}""");
            case "RevokeKey":
                var key = await (await _secret.PostAsync("/v1/keys", Json.Body("""{"name":"to revoke"}"""))).ReadJson<JsonElement>(201);
                return new(Path: Ids(id: key.GetProperty("id").GetString()!));
            case "ListKeys" or "RotateIdentitySecret" or "ListMembers" or "ListAuditLog" or "ExportAuditLog": return new();
            case "InviteMember": return new($$"""{"email":"p-{{Guid.NewGuid():N}}@acme.test","role":"analyst"}""");
            case "SetMemberRole": return new("""{"role":"viewer"}""", Path: Ids(id: NewMember()));
            case "RemoveMember" or "ResetMemberPassword": return new(Path: Ids(id: NewMember()));
            case "ListTags" or "GetEmailStatus" or "ListEmailDeliveries": return new();
            case "RetryEmailDelivery": return new(Path: new Dictionary<string, string> { ["deliveryId"] = await FailedEmail() });
            case "CreateTag": return new($$"""{"name":"t-{{Guid.NewGuid().ToString("N")[..20]}}"}""");
            case "DeleteTag":
                var tag = $"d-{Guid.NewGuid():N}"[..20];
                (await _secret.PostAsync("/v1/tags", Json.Body($$"""{"name":"{{tag}}"}"""))).EnsureSuccessStatusCode();
                return new(Path: new Dictionary<string, string> { ["name"] = tag });
            case "TagResponses": return new($$"""{"responseIds":[{{await NewResponse(4)}}],"add":["pricing"],"remove":["old"]}""");
            case "ListFollowUps": return new(Query: "?status=open,in_progress&category=detractor&overdue=false&sort=-arr&where%5Bplan%5D=premium&responseId=1");
            case "GetResponse": return new(Path: new Dictionary<string, string> { ["responseId"] = (await NewResponse(6)).ToString(CultureInfo.InvariantCulture) });
            case "GetFollowUpSettings": return new();
            case "GetFollowUpMetrics":
                await NewFollowUp();
                return new(Query: "?groupBy=assignee&where%5Bplan%5D=premium&from=2020-01-01");
            case "UpdateFollowUpSettings": return new("""{"openCategories":["detractor"],"dueBusinessDays":2,"slaHours":24}""");
            case "OpenFollowUp": return new($$"""{"responseId":{{await NewResponse(9)}},"dueAt":"2026-03-04T17:00:00Z"}""");
            case "GetFollowUp": return new(Path: FollowUp(await NewFollowUp()));
            case "UpdateFollowUp": return new("""{"status":"closed","outcome":"resolved","assignee":null}""", Path: FollowUp(await NewFollowUp()));
            case "AddFollowUpNote": return new("""{"text":"Called them; fix ships Friday."}""", Path: FollowUp(await NewFollowUp()));
            case "Health" or "Ready" or "GetWorkspace" or "ListSurveys" or "ListWebhooks" or "WidgetScript" or "WidgetReasonsChunk" or "WidgetManifest":
                return new();
            default:
                throw new AssertionException($"The document has an operation '{operationId}' this test has no valid example for; add one.");
        }
    }

    static Dictionary<string, string> Ids(string id) => new() { ["id"] = id };

    async Task<string> NewSurvey() =>
        (await (await _secret.PostAsync("/v1/surveys", Json.Body("""{"name":"Contract"}"""))).ReadJson<JsonElement>(201)).GetProperty("id").GetString()!;

    async Task<string> NewWebhook() =>
        (await (await _secret.PostAsync("/v1/webhooks", Json.Body("""{"url":"https://127.0.0.1:9/h","events":["response.created"]}""")))
            .ReadJson<JsonElement>(201)).GetProperty("id").GetString()!;

    static Dictionary<string, string> FollowUp(string id) => new() { ["followUpId"] = id };

    async Task<long> NewResponse(int score)
    {
        using var browser = _app.BrowserClient(Origin);
        var saved = await (await browser.PostAsync("/v1/responses", Json.Body($$"""{"displayToken":"{{NewToken()}}","score":{{score}}}"""))).ReadJson<JsonElement>(201);
        return saved.GetProperty("id").GetInt64();
    }

    /// <summary>A detractor's answer opens a follow-up by itself.</summary>
    async Task<string> NewFollowUp()
    {
        var response = await NewResponse(2);
        var page = await (await _secret.GetAsync("/v1/follow-ups?limit=200")).ReadJson<JsonElement>();
        return page.GetProperty("items").EnumerateArray().Single(f => f.GetProperty("response").GetProperty("id").GetInt64() == response).GetProperty("id").GetString()!;
    }

    /// <summary>An invitation whose email failed (its SMTP port refuses, one attempt): its id in the email log.</summary>
    async Task<string> FailedEmail()
    {
        (await _secret.PostAsync("/v1/members", Json.Body($$"""{"email":"e-{{Guid.NewGuid():N}}@acme.test","role":"viewer"}"""))).EnsureSuccessStatusCode();
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var page = await (await _secret.GetAsync("/v1/email/deliveries?status=failed")).ReadJson<JsonElement>();
            if (page.GetProperty("items").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } failed)
                return failed.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
            Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromMinutes(1)), "the invitation's email did not fail");
            await Task.Delay(100);
        }
    }

    string NewMember() => _app.AddMember(_ws.WorkspaceId, $"m-{Guid.NewGuid():N}@acme.test", Roles.Analyst);

    string NewToken() => _app.CreateDisplay(_ws.WorkspaceId, $"u-{Guid.NewGuid():N}").Token;

    [Test]
    public async Task EveryOperation_AnswersValidAndInvalidRequests_AsTheDocumentSays()
    {
        foreach (var (path, method, operation) in Operations())
        {
            var operationId = operation["operationId"]!.GetValue<string>();
            var example = await Valid(operationId);
            var secured = operation["security"] is JsonArray { Count: > 0 } security && security.All(r => r!.AsObject().Count > 0);
            var where = $"{method} {path} ({operationId})";

            // The valid request succeeds.
            var valid = await Send(method, path, example, example.Query, example.Body, withKey: true);
            Assert.That((int)valid.StatusCode, Is.InRange(200, 399), $"{where}: {await valid.Content.ReadAsStringAsync()}");
            await Check(where, "valid", operation, valid);

            // Invalid: no key (secret-key operations answer 401).
            if (secured)
            {
                var noKey = await Send(method, path, example, example.Query, example.Body, withKey: false);
                Assert.That((int)noKey.StatusCode, Is.EqualTo(401), where);
                await Check(where, "no key", operation, noKey);
            }

            // Invalid: an id that does not exist, in each path parameter.
            foreach (var name in example.Path?.Keys ?? [])
            {
                var unknown = new Dictionary<string, string>(example.Path!) { [name] = name == "deliveryId" ? "999999" : "nope" };
                await Check(where, $"unknown {name}", operation, await Send(method, path, example with { Path = unknown }, example.Query, example.Body, withKey: true));
            }

            // Invalid: junk in every documented query parameter.
            foreach (var parameter in (operation["parameters"] as JsonArray ?? []).Select(p => p!.AsObject()).Where(p => (string?)p["in"] == "query"))
            {
                var name = parameter["name"]!.GetValue<string>();
                var key = (string?)parameter["style"] == "deepObject" ? $"{name}%5B%22bad%5D" : name;
                foreach (var junk in new[] { "%00%FF", "-1", "99999999999999999999", "1e400", "" })
                    await Check(where, $"{name}={junk}", operation, await Send(method, path, example, $"?{key}={junk}", example.Body, withKey: true));
            }
            await Check(where, "unknown parameter", operation, await Send(method, path, example, "?unknown=1", example.Body, withKey: true));

            if (example.Body is null)
                continue;
            foreach (var (label, body) in InvalidBodies(operation))
                await Check(where, label, operation, await Send(method, path, example, example.Query, body, withKey: true));
            await Check(where, "bogus charset", operation,
                await Send(method, path, example, example.Query, example.Body, withKey: true, contentType: "application/json; charset=bogus"));
            await Check(where, "text/plain", operation,
                await Send(method, path, example, example.Query, example.Body, withKey: true, contentType: "text/plain"));
            await Check(where, "oversized", operation,
                await Send(method, path, example, example.Query, $$"""{"x":"{{new string('x', 300 * 1024)}}"}""", withKey: true));
        }

        Assert.That(_violations, Is.Empty, string.Join("\n", _violations));
        Assert.That(_checked.Keys, Is.EquivalentTo(Operations().Select(o => $"{o.Method} {o.Path} ({o.Operation["operationId"]})").ToHashSet()),
            "every operation of the document was exercised");
        Assert.That(_schemas, Is.GreaterThan(100), "bodies were validated against the document's schemas");
        TestContext.Out.WriteLine($"{_checked.Values.Sum()} answers over {_checked.Count} operations; {_schemas} bodies validated against their schema.");
    }

    /// <summary>Bodies made from the operation's request schema: each property with a value of the wrong type, an unknown property, a repeated one.</summary>
    IEnumerable<(string Label, string Body)> InvalidBodies(JsonObject operation)
    {
        yield return ("unknown field", """{"zzUnknown":1}""");
        yield return ("array body", "[1]");
        yield return ("broken JSON", """{"a":""");
        yield return ("empty body", "");
        var schema = Resolve(operation["requestBody"]?["content"]?["application/json"]?["schema"]);
        if (schema?["properties"] is not JsonObject properties)
            yield break;
        foreach (var (name, property) in properties)
        {
            var types = Types(Resolve(property));
            string? wrong = types.Contains("string") ? "12345" : types.Contains("integer") || types.Contains("number") ? "\"text\""
                : types.Contains("boolean") ? "\"yes\"" : types.Contains("array") ? "{}" : types.Contains("object") ? "[]" : null;
            if (wrong is not null)
                yield return ($"{name}: wrong type", $$"""{"{{name}}":{{wrong}}}""");
            yield return ($"{name}: twice", $$"""{"{{name}}":null,"{{name}}":null}""");
        }
    }

    JsonObject? Resolve(JsonNode? schema)
    {
        if (schema is not JsonObject obj)
            return null;
        if (obj["$ref"] is { } reference)
            return Resolve(_document["components"]!["schemas"]![reference.GetValue<string>().Split('/')[^1]]);
        if (obj["oneOf"] is JsonArray oneOf)
            return oneOf.Select(Resolve).FirstOrDefault(s => s?["type"]?.ToString() != "null");
        return obj;
    }

    static HashSet<string> Types(JsonObject? schema) => schema?["type"] switch
    {
        JsonArray many => many.Select(t => t!.GetValue<string>()).ToHashSet(),
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };

    async Task<HttpResponseMessage> Send(string method, string path, Example example, string query, string? body, bool withKey, string contentType = "application/json")
    {
        foreach (var (name, value) in example.Path ?? new Dictionary<string, string>())
            path = path.Replace($"{{{name}}}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        var request = new HttpRequestMessage(new HttpMethod(method), path + query);
        if (withKey && !example.Browser)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _ws.SecretKey);
        if (example.Browser)
            request.Headers.Add("Origin", Origin);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        return await _anonymous.SendAsync(request);
    }

    /// <summary>The answer is one the document lists: its status, its content type for that status, and a body matching the schema.</summary>
    async Task Check(string where, string what, JsonObject operation, HttpResponseMessage response)
    {
        _checked[where] = _checked.GetValueOrDefault(where) + 1;
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var text = await response.Content.ReadAsStringAsync();
        var label = $"{where} [{what}] → {status}";
        if (operation["responses"]?[status] is not JsonObject listed)
        {
            _violations.Add($"{label}: status not in the document ({text[..Math.Min(200, text.Length)]})");
            return;
        }
        if (text.Length == 0 || response.RequestMessage?.Method == HttpMethod.Head)
            return;
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (listed["content"]?[mediaType] is not JsonObject content)
        {
            _violations.Add($"{label}: content type '{mediaType}' not listed for this status");
            return;
        }
        if (!mediaType.Contains("json", StringComparison.Ordinal) || content["schema"] is not { } schema)
            return;
        var results = Schema(schema).Evaluate(JsonDocument.Parse(text).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        _schemas++;
        if (!results.IsValid)
        {
            var errors = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}");
            _violations.Add($"{label}: body does not match the schema: {string.Join(" | ", errors)} — {text[..Math.Min(300, text.Length)]}");
        }
    }

    readonly Dictionary<string, JsonSchema> _compiled = [];

    /// <summary>The response schema with the document's components as $defs, compiled once per distinct schema.</summary>
    JsonSchema Schema(JsonNode schema)
    {
        var key = schema.ToJsonString();
        if (_compiled.TryGetValue(key, out var compiled))
            return compiled;
        var defs = _document["components"]!["schemas"]!.ToJsonString();
        var root = $$"""{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{{defs}},"allOf":[{{key}}]}"""
            .Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        compiled = JsonSchema.FromText(root, baseUri: new Uri($"https://pulse.test/openapi/{_compiled.Count}"));
        _compiled[key] = compiled;
        return compiled;
    }
}
