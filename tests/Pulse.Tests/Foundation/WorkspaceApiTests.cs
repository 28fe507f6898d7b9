using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

public sealed class WorkspaceApiTests
{
    PulseFactory _app = null!;
    CreatedWorkspace _a = null!;
    CreatedWorkspace _b = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory();
        _ = _app.Server; // start the host so migrations run
        _a = _app.CreateWorkspace("Acme");
        _b = _app.CreateWorkspace("Globex", ["https://globex.test"]);
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    [Test]
    public async Task GetWorkspace_WithItsSecretKey_ShowsSettingsButNoSecrets()
    {
        using var http = _app.SecretClient(_a.SecretKey);
        var response = await http.GetAsync("/v1/workspace");
        var text = await response.Content.ReadAsStringAsync();
        var body = await response.ReadJson<WorkspaceResponse>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.Id, Is.EqualTo(_a.WorkspaceId));
            Assert.That(body.Name, Is.EqualTo("Acme"));
            Assert.That(body.SiteKey, Is.EqualTo(_a.SiteKey));
            Assert.That(body.RequireUserHash, Is.True);
            Assert.That(body.FatigueDays, Is.EqualTo(7));
            Assert.That(body.TestMode, Is.False);
            Assert.That(text, Does.Not.Contain(_a.IdentitySecret).And.Not.Contain(_a.SecretKey));
        }
    }

    [Test]
    public void NewWorkspace_StartsWithOneActiveRelationshipSurveyWithDefaultRules()
    {
        using var c = _app.Db.Open();
        var surveys = c.Query("SELECT * FROM surveys WHERE workspace_id = @Id", new { Id = _a.WorkspaceId }).ToList();
        Assert.That(surveys, Has.Count.EqualTo(1));
        var s = surveys[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That((long)s.active, Is.EqualTo(1));
            Assert.That((string)s.kind, Is.EqualTo("nps"));
            Assert.That((object?)s.trigger, Is.Null);
            Assert.That((long)s.first_survey_delay_days, Is.EqualTo(30));
            Assert.That((long)s.resurvey_days, Is.EqualTo(90));
            Assert.That((long)s.decline_cooldown_days, Is.EqualTo(30));
            Assert.That((long)s.reshow_after_ignored_days, Is.EqualTo(1));
            Assert.That((double)s.sample_percent, Is.EqualTo(100));
        }
    }

    [Test]
    public void SecretKeys_AreStoredOnlyAsHashes()
    {
        using var c = _app.Db.Open();
        var dump = string.Join("\n", c.Query<string>("SELECT hint || ' ' || hex(key_hash) FROM secret_keys"));
        Assert.That(dump, Does.Not.Contain(_a.SecretKey[3..]));
    }

    [TestCase(null, "Bearer sk_")]
    [TestCase("Basic dXNlcjpwYXNz", "Bearer sk_")]
    [TestCase("Bearer pk_demo_0000000000000000", "site key")]
    [TestCase("Bearer nope", "not a Pulse secret key")]
    [TestCase("Bearer sk_unknownunknownunknownunknownunknown0000", "unknown or has been revoked")]
    public async Task BadCredentials_Are401ProblemJson(string? header, string detailPart)
    {
        using var http = _app.CreateClient();
        if (header is not null)
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);

        var doc = await (await http.GetAsync("/v1/workspace")).AssertProblem(401);

        Assert.That(doc.GetProperty("detail").GetString(), Does.Contain(detailPart));
    }

    [Test]
    public async Task RevokedKey_Is401_WhileAnotherKeyOfTheSameWorkspaceWorks()
    {
        var ws = _app.CreateWorkspace("Revokes");
        string keyId, second;
        using (var c = _app.Db.Open())
        using (var tx = c.BeginTransaction())
        {
            keyId = c.ExecuteScalar<string>("SELECT id FROM secret_keys WHERE workspace_id = @Id", new { Id = ws.WorkspaceId }, tx)!;
            second = WorkspaceStore.AddKey(c, tx, ws.WorkspaceId, 0).SecretKey;
            WorkspaceStore.Revoke(c, tx, ws.WorkspaceId, keyId, 1);
            tx.Commit();
        }

        using var revoked = _app.SecretClient(ws.SecretKey);
        using var fresh = _app.SecretClient(second);
        await (await revoked.GetAsync("/v1/workspace")).AssertProblem(401);
        Assert.That((await fresh.GetFromJsonAsync<WorkspaceResponse>("/v1/workspace", Json.Options))!.Id, Is.EqualTo(ws.WorkspaceId));
    }

    [Test]
    public async Task PutWorkspace_ChangesOnlyItsOwnWorkspace()
    {
        var ws = _app.CreateWorkspace("Before");
        using var http = _app.SecretClient(ws.SecretKey);

        var response = await http.PutAsync("/v1/workspace", Json.Body("""
            { "name": "After", "productName": "Acme Recruit", "allowedOrigins": ["HTTPS://App.Acme.test/", "http://localhost:*"],
              "requireUserHash": false, "fatigueDays": 14, "testMode": true }
            """));
        var body = await response.ReadJson<WorkspaceResponse>();
        var again = await http.GetFromJsonAsync<WorkspaceResponse>("/v1/workspace", Json.Options);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.Name, Is.EqualTo("After"));
            Assert.That(again!.ProductName, Is.EqualTo("Acme Recruit"));
            Assert.That(again.AllowedOrigins, Is.EqualTo(new[] { "https://app.acme.test", "http://localhost:*" }));
            Assert.That(again.RequireUserHash, Is.False);
            Assert.That(again.FatigueDays, Is.EqualTo(14));
            Assert.That(again.TestMode, Is.True);
            Assert.That(_app.Services.GetRequiredService<WorkspaceStore>().Find(_b.WorkspaceId)!.Name, Is.EqualTo("Globex"));
        }
    }

    [TestCase("""{ "fatigueDays": -1 }""", "\"fatigueDays\"")]
    [TestCase("""{ "fatigueDays": 9999 }""", "\"fatigueDays\"")]
    [TestCase("""{ "name": "" }""", "\"name\"")]
    [TestCase("""{ "allowedOrigins": ["javascript:alert(1)"] }""", "allowedOrigins[0]")]
    [TestCase("""{ "allowedOrigins": ["https://acme.test/path"] }""", "allowedOrigins[0]")]
    public async Task PutWorkspace_InvalidSettings_Are400NamingTheFieldAndChangeNothing(string json, string field)
    {
        var ws = _app.CreateWorkspace("Unchanged");
        using var http = _app.SecretClient(ws.SecretKey);

        var doc = await (await http.PutAsync("/v1/workspace", Json.Body(json))).AssertProblem(400);

        Assert.That(doc.GetRawText(), Does.Contain(field));
        var after = _app.Services.GetRequiredService<WorkspaceStore>().Find(ws.WorkspaceId)!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(after.Name, Is.EqualTo("Unchanged"));
            Assert.That(after.FatigueDays, Is.EqualTo(7));
            Assert.That(after.AllowedOrigins, Is.EqualTo(new[] { "https://app.acme.test" }));
        }
    }

    [TestCase("name", "Acme\u001b]0;pwned\u0007\u001b[2J")]
    [TestCase("name", "Acme\r\nINFO forged")]
    [TestCase("productName", "Recruit\u0000")]
    [TestCase("productName", "Recruit\u009b31m")]
    public async Task PutWorkspace_ControlCharactersInNames_Are400NamingTheField(string field, string value)
    {
        var ws = _app.CreateWorkspace("Unchanged");
        using var http = _app.SecretClient(ws.SecretKey);

        var doc = await (await http.PutAsync("/v1/workspace", Json.Of(new Dictionary<string, string> { [field] = value }))).AssertProblem(400);

        var after = _app.Services.GetRequiredService<WorkspaceStore>().Find(ws.WorkspaceId)!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(doc.GetProperty("errors").GetProperty(field)[0].GetString(), Does.Contain("control characters"));
            Assert.That((after.Name, after.ProductName), Is.EqualTo(("Unchanged", "Unchanged")));
        }
    }

    [TestCase("{ \"name\": ")]
    [TestCase("{ \"fatigueDays\": \"seven\" }")]
    [TestCase("[1,2,3]")]
    public async Task PutWorkspace_MalformedJson_Is400ProblemJson(string json)
    {
        using var http = _app.SecretClient(_a.SecretKey);
        var doc = await (await http.PutAsync("/v1/workspace", Json.Body(json))).AssertProblem(400);
        Assert.That(doc.GetProperty("detail").GetString(), Does.Contain("$"));
    }

    [TestCase("{ \"fatigueDays\": \"seven\" }", "$.fatigueDays", "expected a whole number from -2147483648 to 2147483647, got a string")]
    [TestCase("{ \"testMode\": 1 }", "$.testMode", "expected true or false, got a number")]
    [TestCase("{ \"allowedOrigins\": \"https://a.test\" }", "$.allowedOrigins", "expected an array")]
    [TestCase("{ \"name\": { } }", "$.name", "expected a string, got an object")]
    public async Task PutWorkspace_WrongJsonType_NamesTheFieldAndTheExpectedKindNotADotNetType(string json, string path, string expected)
    {
        using var http = _app.SecretClient(_a.SecretKey);
        var doc = await (await http.PutAsync("/v1/workspace", Json.Body(json))).AssertProblem(400);
        var detail = doc.GetProperty("detail").GetString();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(detail, Does.Contain(path).And.Contain(expected));
            Assert.That(detail, Does.Not.Contain("System.").And.Not.Contain("Pulse.Api"));
        }
    }

    [Test]
    public async Task PutWorkspace_BodyOverLimit_Is413()
    {
        using var http = _app.SecretClient(_a.SecretKey);
        var huge = "{ \"name\": \"" + new string('x', 20_000) + "\" }";
        await (await http.PutAsync("/v1/workspace", Json.Body(huge))).AssertProblem(413);
    }

    [Test]
    public async Task SiteKey_OnServerEndpoint_Is401()
    {
        using var http = _app.CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + _a.SiteKey);
        await (await http.GetAsync("/v1/workspace")).AssertProblem(401);
    }
}
