using Dapper;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Responses;
using Pulse.Tests.Support;

namespace Pulse.Tests.Privacy;

[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class OptOutTests(StorageProvider provider) : AnswerFixture(provider)
{
    HttpClient _acmeServer = null!;

    [OneTimeSetUp]
    public void Start() => _acmeServer = _app.SecretClient(_acme.SecretKey);

    [OneTimeTearDown]
    public void Stop() => _acmeServer.Dispose();

    long? OptedOutAt(CreatedWorkspace ws, string userId)
    {
        using var c = _app.Db.Open();
        return c.ExecuteScalar<long?>("SELECT opted_out_at FROM end_users WHERE workspace_id = @W AND user_id = @U",
            new { W = ws.WorkspaceId, U = userId });
    }

    static string NewUser() => "u-" + Guid.NewGuid().ToString("n")[..10];

    Task<HttpResponseMessage> OptOut(HttpClient http, object body) => http.PostAsync("/v1/opt-outs", Json.Of(body));

    [Test]
    public async Task OptOut_BySecretKey_ForANeverSeenUser_CreatesTheUserOptedOut()
    {
        var user = NewUser();
        var now = _app.Time.GetUtcNow().ToUnixTimeMilliseconds();

        var response = await OptOut(_acmeServer, new { userId = user });

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(204));
            Assert.That(OptedOutAt(_acme, user), Is.EqualTo(now));
            Assert.That(OptedOutAt(_globex, user), Is.Null);
        }
    }

    [Test]
    public async Task OptOut_Repeated_KeepsTheFirstTime()
    {
        var user = NewUser();
        var first = _app.Time.GetUtcNow().ToUnixTimeMilliseconds();
        await OptOut(_acmeServer, new { userId = user });
        _app.Time.Advance(TimeSpan.FromDays(3));

        var again = await OptOut(_acmeServer, new { userId = user });

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)again.StatusCode, Is.EqualTo(204));
            Assert.That(OptedOutAt(_acme, user), Is.EqualTo(first));
        }
    }

    [Test]
    public async Task OptOut_ByDisplayToken_FromTheBrowser_OptsOutTheDisplaysUser_EvenAfterExpiry()
    {
        var user = NewUser();
        var (_, token) = _app.CreateDisplay(_acme.WorkspaceId, user, lifetime: TimeSpan.FromMinutes(5));
        _app.Time.Advance(TimeSpan.FromHours(1));

        var response = await OptOut(_browser, new { displayToken = token });

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(204));
            Assert.That(OptedOutAt(_acme, user), Is.EqualTo(_app.Time.GetUtcNow().ToUnixTimeMilliseconds()));
        }
    }

    [Test]
    public async Task OptOut_ByDisplayToken_FromAnotherWorkspacesPage_Is403()
    {
        var user = NewUser();
        var (_, token) = _app.CreateDisplay(_acme.WorkspaceId, user);
        using var globexPage = _app.BrowserClient("https://globex.test");

        await (await OptOut(globexPage, new { displayToken = token })).AssertProblem(403);

        Assert.That(OptedOutAt(_acme, user), Is.Null);
    }

    [Test]
    public async Task OptOut_ByUserIdWithoutASecretKey_Is401_EvenWithAToken()
    {
        var user = NewUser();
        var shown = NewUser();
        var (_, token) = _app.CreateDisplay(_acme.WorkspaceId, shown);
        await (await OptOut(_browser, new { userId = user, displayToken = token })).AssertProblem(401);
        var doc = await (await OptOut(_browser, new { userId = user })).AssertProblem(401);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(doc.GetProperty("detail").GetString(), Does.Contain("displayToken"));
            Assert.That(OptedOutAt(_acme, shown), Is.Null);
            Assert.That(_app.Count($"end_users WHERE user_id = '{user}'"), Is.Zero);
        }
    }

    [TestCase("Bearer sk_unknownunknownunknownunknownunknown0000")]
    [TestCase("Bearer pk_demo_0000000000000000")]
    [TestCase("Basic dXNlcjpwYXNz")]
    public async Task OptOut_WithABadSecretKey_Is401_NotTreatedAsAnonymous(string header)
    {
        var user = NewUser();
        using var http = _app.CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);

        await (await OptOut(http, new { userId = user })).AssertProblem(401);

        Assert.That(_app.Count($"end_users WHERE user_id = '{user}'"), Is.Zero);
    }

    [Test]
    public async Task OptOut_BySecretKey_WithAnotherWorkspacesDisplayToken_Is404()
    {
        var user = NewUser();
        var (_, token) = _app.CreateDisplay(_globex.WorkspaceId, user);

        await (await OptOut(_acmeServer, new { displayToken = token })).AssertProblem(404);

        Assert.That(OptedOutAt(_globex, user), Is.Null);
    }

    [TestCase("{}", 400)]
    [TestCase("""{ "userId": "" }""", 400)]
    [TestCase("""{ "userId": 42 }""", 400)]
    [TestCase("""{ "userId": ["a"] }""", 400)]
    [TestCase("{ \"userId\": ", 400)]
    [TestCase("null", 400)]
    public async Task OptOut_BySecretKey_BadInput_Is400(string json, int status)
    {
        var before = _app.Count("end_users");
        await (await _acmeServer.PostAsync("/v1/opt-outs", Json.Body(json))).AssertProblem(status);
        Assert.That(_app.Count("end_users"), Is.EqualTo(before));
    }

    [Test]
    public async Task OptOut_BySecretKey_UserIdTooLong_Is400()
    {
        var before = _app.Count("end_users");
        await (await OptOut(_acmeServer, new { userId = new string('u', 257) })).AssertProblem(400);
        Assert.That(_app.Count("end_users"), Is.EqualTo(before));
    }

    [TestCase("u-1\u001b[2J")]
    [TestCase("u-1\r\nforged log line")]
    [TestCase("u-1\u0000")]
    [TestCase("u-1\u0007")]
    [TestCase("u-1\u2028")]
    public async Task OptOut_BySecretKey_ControlCharactersInTheUserId_Are400NamingIt(string userId)
    {
        var before = _app.Count("end_users");
        var doc = await (await OptOut(_acmeServer, new { userId })).AssertProblem(400);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(doc.GetProperty("errors").GetProperty("userId")[0].GetString(), Does.Contain("control characters"));
            Assert.That(_app.Count("end_users"), Is.EqualTo(before));
        }
    }

    [TestCase("{}", 400)]
    [TestCase("""{ "displayToken": "" }""", 400)]
    [TestCase("""{ "displayToken": "dt_' OR 1=1 --" }""", 404)]
    [TestCase("""{ "displayToken": "<script>alert(1)</script>" }""", 404)]
    public async Task OptOut_FromTheBrowser_BadInput_Is4xx(string json, int status)
    {
        var before = _app.Count("end_users WHERE opted_out_at IS NOT NULL");
        await (await _browser.PostAsync("/v1/opt-outs", Json.Body(json))).AssertProblem(status);
        Assert.That(_app.Count("end_users WHERE opted_out_at IS NOT NULL"), Is.EqualTo(before));
    }
}
