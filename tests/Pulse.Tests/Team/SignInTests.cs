using System.Net;
using System.Text.Json;
using Dapper;
using Pulse.Api.Access;
using Pulse.Api.Storage;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Team;

/// <summary>
/// Members sign in at /dashboard with email and password over real HTTP on loopback: the cookie,
/// the same answer for a wrong email and a wrong password, the lockout by account and by address,
/// CSRF on cookie writes, idle expiry, signing out here and everywhere, switching workspace.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class SignInTests(StorageProvider provider)
{
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;

    [SetUp]
    public void Start()
    {
        _app = new PulseFactory(provider: provider);
        _app.StartKestrel();
        _ws = _app.CreateWorkspace("Acme");
        _app.AddMember(_ws.WorkspaceId, "olivia@acme.test", Roles.Owner);
        _app.AddMember(_ws.WorkspaceId, "adam@acme.test", Roles.Admin);
    }

    [TearDown]
    public void Stop() => _app.Dispose();

    /// <summary>A client whose connections come from another loopback address (Linux answers on all of 127.0.0.0/8).</summary>
    HttpClient From(string address) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = _app.Address };

    static Task<HttpResponseMessage> SignIn(HttpClient http, string email, string password) =>
        http.PostAsync("/dashboard/api/sign-in", Json.Of(new { email, password }));

    long Count(string sql, object? args = null)
    {
        using var c = _app.Db.Open();
        return c.ExecuteScalar<long>(sql, args);
    }

    [Test]
    public async Task SignIn_SetsAnHttpOnlyStrictCookie_WithTheRoleAndItsPermissions_AndTheCookieCallsTheApi()
    {
        using var http = _app.CookieClient();
        var response = await SignIn(http, " Olivia@ACME.test ", TeamData.Password);
        var session = await response.ReadJson<SessionResponse>();
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        var workspace = await http.GetAsync("/v1/workspace");
        var current = await (await http.GetAsync("/dashboard/api/session")).ReadJson<SessionResponse>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cookie, Does.StartWith(SessionAuthenticationHandler.CookieName + "=ses_"));
            Assert.That(cookie.ToLowerInvariant(), Does.Contain("httponly").And.Contain("samesite=strict").And.Contain("path=/"));
            Assert.That(cookie.ToLowerInvariant(), Does.Not.Contain("secure"), "plain http on loopback: Secure only over https");
            Assert.That(session.Member.Email, Is.EqualTo("olivia@acme.test"));
            Assert.That(session.Role, Is.EqualTo(Roles.Owner));
            Assert.That(session.Permissions, Does.Contain(Permissions.ManageMembers));
            Assert.That(session.WorkspaceId, Is.EqualTo(_ws.WorkspaceId));
            Assert.That(session.CsrfToken, Has.Length.EqualTo(32));
            Assert.That((int)workspace.StatusCode, Is.EqualTo(200));
            Assert.That(current.CsrfToken, Is.EqualTo(session.CsrfToken));
            Assert.That(Count("SELECT COUNT(*) FROM sessions WHERE token_hash = @Hash",
                new { Hash = Keys.Hash(cookie.Split(';')[0].Split('=')[1]) }), Is.EqualTo(1), "the row holds the token's hash, not the token");
        }
    }

    [Test]
    public async Task WrongEmail_AndWrongPassword_GetTheSameAnswer_AndBothAreRecorded()
    {
        using var http = _app.CookieClient();
        var unknown = await SignIn(http, "nobody@acme.test", TeamData.Password);
        var wrong = await SignIn(http, "olivia@acme.test", "not the password at all");
        var unknownBody = await unknown.AssertProblem(401);
        var wrongBody = await wrong.AssertProblem(401);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(unknownBody.GetProperty("detail").GetString(), Is.EqualTo(SessionEndpoints.WrongCredentials));
            Assert.That(wrongBody.GetProperty("detail").GetString(), Is.EqualTo(unknownBody.GetProperty("detail").GetString()));
            Assert.That(unknown.Headers.Contains("Set-Cookie"), Is.False);
            Assert.That(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'member.sign_in_failed' AND address = '127.0.0.1'"), Is.EqualTo(2));
            Assert.That(Count("SELECT COUNT(*) FROM sessions"), Is.Zero);
        }
    }

    [Test]
    public async Task FiveFailures_ForOneAccount_Are429WithRetryAfter_EvenWithTheRightPassword_UntilTheWindowPasses()
    {
        using var http = _app.CookieClient();
        for (var i = 0; i < 5; i++)
        {
            await (await SignIn(http, "olivia@acme.test", $"guess number {i} wrong")).AssertProblem(401);
            _app.Time.Advance(TimeSpan.FromMinutes(1));
        }
        var locked = await SignIn(http, "olivia@acme.test", TeamData.Password);
        await locked.AssertProblem(429);
        var retryAfter = locked.Headers.RetryAfter!.Delta!.Value;
        // From another address: the account is locked there too, another account is not.
        using var elsewhere = From("127.0.0.2");
        var accountElsewhere = await SignIn(elsewhere, "olivia@acme.test", TeamData.Password);
        var otherElsewhere = await SignIn(elsewhere, "adam@acme.test", TeamData.Password);
        _app.Time.Advance(retryAfter);
        var after = await SignIn(http, "olivia@acme.test", TeamData.Password);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(retryAfter, Is.EqualTo(TimeSpan.FromMinutes(10)), "5 minutes after the first failure, it leaves the 15-minute window in 10");
            Assert.That((int)accountElsewhere.StatusCode, Is.EqualTo(429), "the account is locked from every address");
            Assert.That((int)otherElsewhere.StatusCode, Is.EqualTo(200), "another account from another address is not");
            Assert.That((int)after.StatusCode, Is.EqualTo(200));
        }
    }

    [Test]
    public async Task FiveFailures_FromOneAddress_OnDifferentEmails_LockThatAddress()
    {
        using var http = _app.CookieClient();
        for (var i = 0; i < 5; i++)
            await (await SignIn(http, $"guess{i}@acme.test", TeamData.Password)).AssertProblem(401);
        var locked = await SignIn(http, "olivia@acme.test", TeamData.Password);
        await locked.AssertProblem(429);
        Assert.That(locked.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromMinutes(15)));
    }

    [Test]
    public async Task CookieWrites_WithoutTheCsrfToken_Are403_AndChangeNothing_ReadsAndBearerKeysNeedNone()
    {
        using var noToken = await _app.MemberClient("adam@acme.test", csrf: false);
        var read = await noToken.GetAsync("/v1/workspace");
        var refused = await noToken.PutAsync("/v1/workspace", Json.Body("""{"productName":"Forged"}"""));
        noToken.DefaultRequestHeaders.Add(SessionAuthenticationHandler.CsrfHeader, "0123456789abcdef0123456789abcdef");
        var wrongToken = await noToken.PutAsync("/v1/workspace", Json.Body("""{"productName":"Forged"}"""));
        using var withToken = await _app.MemberClient("adam@acme.test");
        var allowed = await withToken.PutAsync("/v1/workspace", Json.Body("""{"productName":"Acme HR"}"""));
        using var key = _app.SecretClient(_ws.SecretKey);
        var byKey = await key.PutAsync("/v1/workspace", Json.Body("""{"fatigueDays":3}"""));
        var detail = (await refused.AssertProblem(403)).GetProperty("detail").GetString();
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)read.StatusCode, Is.EqualTo(200));
            Assert.That(detail, Does.Contain("X-Pulse-CSRF"));
            Assert.That((int)wrongToken.StatusCode, Is.EqualTo(403));
            Assert.That((int)allowed.StatusCode, Is.EqualTo(200));
            Assert.That((int)byKey.StatusCode, Is.EqualTo(200));
            Assert.That(Count("SELECT COUNT(*) FROM workspaces WHERE product_name = 'Forged'"), Is.Zero);
        }
    }

    [Test]
    public async Task ASession_EndsAfterTwelveIdleHours_ButUseKeepsItAlive()
    {
        using var http = await _app.MemberClient("adam@acme.test");
        _app.Time.Advance(TimeSpan.FromHours(11));
        var kept = await http.GetAsync("/v1/workspace");
        _app.Time.Advance(TimeSpan.FromHours(11));
        var stillKept = await http.GetAsync("/v1/workspace");
        _app.Time.Advance(TimeSpan.FromHours(12));
        var expired = await http.GetAsync("/v1/workspace");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)kept.StatusCode, Is.EqualTo(200));
            Assert.That((int)stillKept.StatusCode, Is.EqualTo(200), "22 hours after sign-in, 11 after the last use");
        }
        var detail = (await expired.AssertProblem(401)).GetProperty("detail").GetString();
        var state = await (await http.GetAsync("/dashboard/api/session")).ReadJson<NoSessionResponse>();
        using var fresh = _app.CookieClient();
        var none = await (await fresh.GetAsync("/dashboard/api/session")).ReadJson<NoSessionResponse>();
        Assert.That(detail, Does.Contain("expired after 12 hours"));
        Assert.That(state, Is.EqualTo(new NoSessionResponse(false, detail)), "the page is told why, without an error");
        Assert.That(none, Is.EqualTo(new NoSessionResponse(false, null)));
    }

    [Test]
    public async Task SignOut_EndsThisSession_SignOutEverywhere_EndsEveryOther()
    {
        using var laptop = await _app.MemberClient("adam@acme.test");
        using var phone = await _app.MemberClient("adam@acme.test");
        using var tablet = await _app.MemberClient("adam@acme.test");
        var signOut = await laptop.PostAsync("/dashboard/api/sign-out", null);
        var laptopAfter = await laptop.GetAsync("/v1/workspace");
        var everywhere = await (await phone.PostAsync("/dashboard/api/sign-out-everywhere", null)).ReadJson<SignedOutResponse>();
        var tabletAfter = await tablet.GetAsync("/v1/workspace");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)signOut.StatusCode, Is.EqualTo(204));
            Assert.That(signOut.Headers.GetValues("Set-Cookie").Single(), Does.Contain("expires=Thu, 01 Jan 1970"), "the cookie is deleted");
            Assert.That((int)laptopAfter.StatusCode, Is.EqualTo(401));
            Assert.That(everywhere.Sessions, Is.EqualTo(2));
            Assert.That((int)tabletAfter.StatusCode, Is.EqualTo(401));
            Assert.That(Count("SELECT COUNT(*) FROM sessions"), Is.Zero);
        }
    }

    [Test]
    public async Task AMemberOfTwoWorkspaces_SwitchesWithoutSigningInAgain_ButNotIntoOneTheyAreNotIn()
    {
        var other = _app.CreateWorkspace("Globex");
        _app.AddMember(other.WorkspaceId, "adam@acme.test", Roles.Viewer);
        var stranger = _app.CreateWorkspace("Initech");
        using var http = await _app.MemberClient("adam@acme.test");
        var before = await (await http.GetAsync("/v1/workspace")).ReadJson<WorkspaceResponse>();
        var switched = await (await http.PostAsync("/dashboard/api/session/workspace", Json.Of(new { workspaceId = other.WorkspaceId }))).ReadJson<SessionResponse>();
        var after = await (await http.GetAsync("/v1/workspace")).ReadJson<WorkspaceResponse>();
        var asViewer = await http.PutAsync("/v1/workspace", Json.Body("""{"productName":"Nope"}"""));
        var refused = await http.PostAsync("/dashboard/api/session/workspace", Json.Of(new { workspaceId = stranger.WorkspaceId }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(before.Id, Is.EqualTo(_ws.WorkspaceId));
            Assert.That(switched.Workspaces.Select(w => w.Id), Is.EquivalentTo(new[] { _ws.WorkspaceId, other.WorkspaceId }));
            Assert.That(switched.Role, Is.EqualTo(Roles.Viewer));
            Assert.That(after.Id, Is.EqualTo(other.WorkspaceId));
            Assert.That((int)asViewer.StatusCode, Is.EqualTo(403), "the role of the workspace switched to");
        }
        await refused.AssertProblem(404);
    }

    [Test]
    public async Task ARoleChange_AppliesToTheNextRequest()
    {
        using var admin = await _app.MemberClient("adam@acme.test");
        using var owner = await _app.MemberClient("olivia@acme.test");
        var adamId = (await (await admin.GetAsync("/dashboard/api/session")).ReadJson<SessionResponse>()).Member.Id;
        var before = await admin.PutAsync("/v1/workspace", Json.Body("""{"fatigueDays":5}"""));
        await (await owner.PutAsync($"/v1/members/{adamId}", Json.Body("""{"role":"viewer"}"""))).ReadJson<MemberResponse>();
        var after = await admin.PutAsync("/v1/workspace", Json.Body("""{"fatigueDays":6}"""));
        Assert.That((int)before.StatusCode, Is.EqualTo(200));
        var detail = (await after.AssertProblem(403)).GetProperty("detail").GetString();
        Assert.That(detail, Does.Contain("'workspace:manage'").And.Contain("'viewer'"));
    }

    [Test]
    public async Task BadSignInBodies_Are400_AndRecordNothing()
    {
        using var http = _app.CookieClient();
        var empty = await http.PostAsync("/dashboard/api/sign-in", Json.Body("{}"));
        var huge = await SignIn(http, new string('a', 300) + "@acme.test", "x");
        var errors = (await empty.AssertProblem(400)).GetProperty("errors");
        await huge.AssertProblem(400);
        Assert.That(errors.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "email", "password" }));
        Assert.That(Count("SELECT COUNT(*) FROM audit_log"), Is.Zero);
    }
}
