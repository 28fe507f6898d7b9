using System.Net.Http.Json;
using Pulse.Api.Cli;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>Findings of the security review, each pinned by the test that would have caught it.</summary>
public sealed class SecurityRegressionTests
{
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;

    [OneTimeSetUp]
    public void Start()
    {
        // A tight per-site-key budget, so spending it is visible.
        _app = new PulseFactory(new Dictionary<string, string?> { ["RateLimiting:PerSiteKeyPerSecond"] = "3" });
        _ = _app.Server;
        _ws = _app.CreateWorkspace("Sec", ["https://app.sec.test"], requireUserHash: true);
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    object Body(string userId, string? userHash, string traitsJson = "{}") => new
    {
        siteKey = _ws.SiteKey,
        user = new { id = userId, createdAt = _app.Time.GetUtcNow().AddDays(-90), traits = System.Text.Json.JsonDocument.Parse(traitsJson).RootElement },
        userHash,
    };

    [Test]
    public async Task UnpairedSurrogateInATrait_Is400NamingTheField_Not500()
    {
        using var browser = _app.BrowserClient("https://app.sec.test");
        var raw = $$$"""{"siteKey":"{{{_ws.SiteKey}}}","user":{"id":"s5","traits":{"a":"\ud800"}},"userHash":"{{{Keys.UserHash(_ws.IdentitySecret, "s5")}}}"}""";

        var doc = await (await browser.PostAsync("/v1/eligibility", Json.Body(raw))).AssertProblem(400);

        Assert.That(doc.GetRawText(), Does.Contain("traits").And.Contain("surrogate"));
    }

    [Test]
    public async Task InvalidCalls_DoNotSpendTheWorkspacesSiteKeyBudget()
    {
        using var browser = _app.BrowserClient("https://app.sec.test");
        for (var i = 0; i < 10; i++)
            await (await browser.PostAsync("/v1/eligibility", Json.Of(Body($"junk-{i}", userHash: new string('0', 64))))).AssertProblem(401);

        var valid = await browser.PostAsync("/v1/eligibility", Json.Of(Body("real-user", Keys.UserHash(_ws.IdentitySecret, "real-user"))));

        Assert.That((int)valid.StatusCode, Is.EqualTo(200), await valid.Content.ReadAsStringAsync());
    }

    [TestCase("to=9999-12-31", "to")]
    [TestCase("from=0001-01-01&tz=Pacific/Kiritimati", "from")]
    [TestCase("to=0001-01-01T00:00:00Z", "to")]
    public async Task OutOfRangeDates_Are400NamingTheParameter(string query, string parameter)
    {
        using var server = _app.SecretClient(_ws.SecretKey);
        foreach (var path in new[] { "/v1/metrics/nps", "/v1/responses", "/v1/accounts" })
        {
            var doc = await (await server.GetAsync($"{path}?{query}")).AssertProblem(400);
            Assert.That(doc.GetProperty("errors").TryGetProperty(parameter, out _), Is.True, path + ": " + doc.GetRawText());
        }
    }

    [Test]
    public async Task BadTypedQueryParameter_NamesTheParameterNotItsDotNetType()
    {
        using var server = _app.SecretClient(_ws.SecretKey);
        var created = await server.PostAsync("/v1/webhooks", Json.Of(new { url = "https://127.0.0.1:9/hook", events = new[] { "response.created" } }));
        var id = (await created.ReadJson<System.Text.Json.JsonElement>(201)).GetProperty("id").GetString();

        var doc = await (await server.GetAsync($"/v1/webhooks/{id}/deliveries?limit=abc")).AssertProblem(400);

        Assert.That(doc.GetProperty("detail").GetString(), Is.EqualTo("Invalid parameter 'limit': Give a whole number from 1 to 200."));
        Assert.That(doc.GetProperty("errors").GetProperty("limit")[0].GetString(), Does.Not.Contain("Int32"));
    }

    [Test]
    public async Task ObjectGivenAsArray_SaysAnObjectWasExpected()
    {
        using var server = _app.SecretClient(_ws.SecretKey);
        var doc = await (await server.PostAsync("/v1/eligibility", Json.Body("""{"user":{"id":"u","traits":[]}}"""))).AssertProblem(400);
        Assert.That(doc.GetProperty("detail").GetString(), Does.Contain("expected an object"));
    }
}

/// <summary>The demo workspace and its published keys exist only in Development; Staging and Production refuse them.</summary>
[Category(TestCategories.Process)]
public sealed class DemoWorkspaceOutsideDevelopmentTests
{
    [TestCase("Production")]
    [TestCase("Staging")]
    public async Task Seed_Refuses_AndDemoKeysCarriedIntoTheDatabaseAreRevokedAtStart(string environment)
    {
        using var dir = new TempDirectory();
        var path = dir.File("carried.db");
        var settings = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = environment };

        var seed = await ApiProcess.RunCliAsync(path, settings, "seed", "--responses", "10");
        Assert.That(seed.ExitCode, Is.EqualTo(2), seed.StdOut + seed.StdErr);
        Assert.That(seed.StdErr, Does.Contain($"it runs only in Development, not in {environment}"));

        // A database that left a developer's machine with the demo workspace in it, and a key added to it by the CLI.
        var db = new Db($"Data Source={path}", dir.Path);
        string addedKey;
        using (var c = db.Open())
        {
            Migrator.Apply(c, TimeProvider.System);
            using var tx = c.BeginTransaction(deferred: false);
            WorkspaceStore.Create(c, tx, DemoWorkspace.Spec, 0, PulseCli.WorkspaceHooks);
            WorkspaceStore.Create(c, tx, DemoWorkspace.Verified.Spec, 0, PulseCli.WorkspaceHooks);
            addedKey = WorkspaceStore.AddKey(c, tx, DemoWorkspace.Id, 0).SecretKey;
            tx.Commit();
        }

        using var api = await ApiProcess.StartAsync(path, settings);
        using var http = new HttpClient { BaseAddress = api.Address };
        async Task<int> Status(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/workspace") { Headers = { Authorization = new("Bearer", key) } };
            return (int)(await http.SendAsync(request)).StatusCode;
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await Status(DemoWorkspace.SecretKey), Is.EqualTo(401), "the published demo key must not work outside Development");
            Assert.That(await Status(addedKey), Is.EqualTo(401));
            Assert.That(await Status(DemoWorkspace.Verified.SecretKey), Is.EqualTo(401), "nor the second demo workspace's");
            using var c = db.Open();
            Assert.That(Dapper.SqlMapper.ExecuteScalar<long>(c,
                    "SELECT COUNT(*) FROM secret_keys WHERE workspace_id IN ('ws_demo', 'ws_demo_verified') AND revoked_at IS NULL"),
                Is.Zero, "every key of the demo workspaces is revoked in the file");
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task InStaging_TheDemoWorkspaceIsRefused_ByEveryKindOfKey(bool verified)
    {
        var spec = verified ? DemoWorkspace.Verified.Spec : DemoWorkspace.Spec;
        using var app = new PulseFactory(environment: "Staging");
        _ = app.Server;
        // Created after start-up, as a copy of a database or another process would: refused at each call.
        using (var c = app.Db.Open())
        {
            using var tx = c.BeginTransaction(deferred: false);
            WorkspaceStore.Create(c, tx, spec, 0, app.Services.GetServices<IWorkspaceHook>());
            tx.Commit();
        }
        var token = app.CreateDisplay(spec.Id!, "u-demo").Token;
        using var server = app.SecretClient(spec.SecretKey!);
        using var browser = app.BrowserClient("http://localhost:5080");

        var secret = await (await server.GetAsync("/v1/workspace")).AssertProblem(401);
        var site = await (await browser.PostAsync("/v1/eligibility", Json.Of(new { siteKey = spec.SiteKey, user = new { id = "u-1" } }))).AssertProblem(401);
        var answer = await (await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 9 }))).AssertProblem(401);

        using (Assert.EnterMultipleScope())
        {
            foreach (var doc in new[] { secret, site, answer })
                Assert.That(doc.GetProperty("detail").GetString(), Is.EqualTo(DemoWorkspace.Refusal));
            Assert.That(app.Count("responses"), Is.Zero);
        }
    }

    [TestCase("Staging")]
    [TestCase("Production")]
    [TestCase("Testing")]
    public void DemoEnabled_OutsideDevelopment_StopsTheStart(string environment)
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Demo:Enabled"] = "true" }, environment: environment);
        Assert.That(() => app.Server, Throws.Exception.With.Message.Contains("Demo:Enabled=true is allowed only in the Development environment")
            .Or.InnerException.Message.Contains("Demo:Enabled=true is allowed only in the Development environment"));
    }
}
