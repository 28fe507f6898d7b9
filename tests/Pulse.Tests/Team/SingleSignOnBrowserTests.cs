using Dapper;
using Pulse.Api.Access;
using Pulse.Api.Storage;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Team;

/// <summary>
/// Single sign-on end to end in Chromium: Pulse configured with a real OpenID Connect issuer on
/// loopback (OpenIddict), the authorization-code flow with PKCE, the verified email mapped to an
/// invited member; an unknown or unverified email is refused.
/// </summary>
[Category("Browser")]
public sealed class SingleSignOnBrowserTests : BrowserTest
{
    OidcIssuer _issuer = null!;
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _issuer = await OidcIssuer.StartAsync(() => _app.Address!);
        _app = new PulseFactory(new Dictionary<string, string?>
        {
            ["Authentication:Oidc:Authority"] = _issuer.Address.ToString(),
            ["Authentication:Oidc:ClientId"] = OidcIssuer.ClientId,
            ["Authentication:Oidc:ClientSecret"] = OidcIssuer.ClientSecret,
        }, time: new FakeTimeProvider(DateTimeOffset.UtcNow)); // the issuer's tokens carry real times
        _app.StartKestrel();
        _ws = _app.CreateWorkspace("Acme");
        await WarmUp();
    }

    /// <summary>
    /// One challenge and one authorization request outside the browser, so the first test's click
    /// does not also pay for fetching the issuer's metadata and compiling both hosts' first
    /// requests (a CI run under load once spent more than the 30 s navigation timeout there).
    /// The redirects are not followed: no code is redeemed and no session starts.
    /// </summary>
    async Task WarmUp()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        using var challenge = await http.GetAsync(new Uri(_app.Address!, "/dashboard/api/oidc/start"));
        Assert.That((int)challenge.StatusCode, Is.EqualTo(302), "the app challenges with a redirect to the issuer");
        using var authorize = await http.GetAsync(challenge.Headers.Location!);
        _issuer.Requests.Clear();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _app.Dispose();
        await _issuer.DisposeAsync();
    }

    void Invite(string email, string role)
    {
        using var c = _app.Db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        Invitations.Invite(c, tx, Actor.Cli, _ws.WorkspaceId, email, role, _app.Time.GetUtcNow().ToUnixTimeMilliseconds());
        tx.Commit();
    }

    async Task ClickSingleSignOn()
    {
        await Page.GotoAsync(new Uri(_app.Address!, "/dashboard").ToString());
        await Page.Locator("#sso:not([hidden]) #sso-link").ClickAsync();
    }

    [Test]
    public async Task AnInvitedMember_SignsInThroughTheIssuer_WithTheCodeFlowAndPkce()
    {
        var email = $"sso-{Guid.NewGuid():N}@acme.test";
        Invite(email, Roles.Analyst);
        _issuer.Email = email;
        _issuer.EmailVerified = true;
        await ClickSingleSignOn();
        await Page.WaitForFunctionAsync("() => { const v = document.getElementById('view'); return v.dataset.view === 'overview' && !!v.dataset.ready; }");
        var member = await Page.TextContentAsync("#member-name");
        var cookie = (await Page.Context.CookiesAsync()).Single(c => c.Name == SessionAuthenticationHandler.CookieName);
        using var c = _app.Db.Open();
        var actions = c.Query<string>("SELECT action FROM audit_log WHERE actor_label = @Email ORDER BY id", new { Email = email }).ToList();
        var after = c.ExecuteScalar<string>("SELECT after FROM audit_log WHERE actor_label = @Email AND action = 'member.signed_in'", new { Email = email });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(member, Does.Contain("analyst"));
            Assert.That(cookie.HttpOnly, Is.True);
            Assert.That(_issuer.Requests.Last(), Is.EqualTo((OidcIssuer.ClientId, true)), "the authorization request carried an S256 PKCE challenge");
            Assert.That(actions, Is.EqualTo(new[] { "member.joined", "member.signed_in" }), "the verified email accepted the invitation");
            Assert.That(after, Does.Contain("oidc"));
            Assert.That(Page.Url, Does.Not.Contain("code="), "no authorization code left in the address");
            Assert.That(Current.Errors, Is.Empty);
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task AnEmailThatIsNoMember_OrIsNotVerified_IsRefused(bool verified)
    {
        var email = $"sso-{Guid.NewGuid():N}@acme.test";
        if (!verified)
            Invite(email, Roles.Admin);
        _issuer.Email = email;
        _issuer.EmailVerified = verified;
        await ClickSingleSignOn();
        await Page.Locator("#signin-error:has-text('not a member of any workspace')").WaitForAsync();
        using var c = _app.Db.Open();
        Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM sessions s JOIN members m ON m.id = s.member_id WHERE m.email = @Email", new { Email = email }),
            Is.Zero);
        Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM audit_log WHERE actor_label = @Email AND action = 'member.sign_in_failed'", new { Email = email }),
            Is.EqualTo(1));
    }
}
