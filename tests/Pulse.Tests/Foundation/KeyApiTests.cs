using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Foundation;

/// <summary>
/// <c>/v1/keys</c> and the identity-secret rotation over HTTP: what the dashboard's Keys page calls.
/// Each write is checked against the database and against what the changed credential then does.
/// </summary>
public sealed class KeyApiTests
{
    PulseFactory _app = null!;

    [SetUp]
    public void Start()
    {
        _app = new PulseFactory();
        _ = _app.Server;
    }

    [TearDown]
    public void Stop() => _app.Dispose();

    static async Task<KeyResponse[]> Keys(HttpClient http) => (await (await http.GetAsync("/v1/keys")).ReadJson<KeyList>()).Items.ToArray();

    [Test]
    public async Task Create_ShowsTheKeyOnce_ItWorks_AndTheListShowsOnlyItsHint()
    {
        var ws = _app.CreateWorkspace();
        using var admin = _app.SecretClient(ws.SecretKey);
        var response = await admin.PostAsJsonAsync("/v1/keys", new { name = "CI server" });
        var created = await response.ReadJson<CreatedKeyResponse>(201);
        var listText = await admin.GetStringAsync("/v1/keys");
        var list = await Keys(admin);
        using var ci = _app.SecretClient(created.SecretKey);
        var asCi = await ci.GetAsync("/v1/workspace");
        string storedName;
        using (var c = _app.Db.Open())
            storedName = c.ExecuteScalar<string>("SELECT name FROM secret_keys WHERE id = @Id", new { created.Id })!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/v1/keys/{created.Id}"));
            Assert.That(created.SecretKey, Does.StartWith("sk_").And.Length.EqualTo(43));
            Assert.That(created.Hint, Is.EqualTo(Pulse.Api.Workspaces.Keys.Hint(created.SecretKey)));
            Assert.That(created.Name, Is.EqualTo("CI server"));
            Assert.That(storedName, Is.EqualTo("CI server"));
            Assert.That((int)asCi.StatusCode, Is.EqualTo(200), "the new key works at once");
            Assert.That(list.Select(k => k.Id).ToList(), Has.Member(created.Id).And.Count.EqualTo(2));
            Assert.That(listText, Does.Not.Contain(created.SecretKey[3..]).And.Not.Contain(ws.SecretKey[3..]), "never the keys themselves");
            Assert.That(list.Single(k => k.Current).Hint, Is.EqualTo(Pulse.Api.Workspaces.Keys.Hint(ws.SecretKey)), "the caller's key is marked");
        }
    }

    [Test]
    public async Task LastUse_IsStamped_AtMostOncePerMinute()
    {
        var ws = _app.CreateWorkspace();
        using var admin = _app.SecretClient(ws.SecretKey);
        var created = await (await admin.PostAsJsonAsync("/v1/keys", new { name = "unused yet" })).ReadJson<CreatedKeyResponse>(201);
        var before = (await Keys(admin)).Single(k => k.Id == created.Id);

        using var other = _app.SecretClient(created.SecretKey);
        var firstUse = _app.Time.GetUtcNow();
        await (await other.GetAsync("/v1/workspace")).ReadJson<JsonElement>();
        _app.Time.Advance(TimeSpan.FromSeconds(30));
        await (await other.GetAsync("/v1/workspace")).ReadJson<JsonElement>();
        var withinAMinute = (await Keys(admin)).Single(k => k.Id == created.Id);
        _app.Time.Advance(TimeSpan.FromSeconds(31));
        await (await other.GetAsync("/v1/surveys")).ReadJson<JsonElement>();
        var later = (await Keys(admin)).Single(k => k.Id == created.Id);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before.LastUsedAt, Is.Null, "never used");
            Assert.That(withinAMinute.LastUsedAt, Is.EqualTo(firstUse), "a second call within the minute writes nothing");
            Assert.That(later.LastUsedAt, Is.EqualTo(_app.Time.GetUtcNow()));
        }
    }

    [Test]
    public async Task Revoke_RefusesTheKeyAtOnce_KeepsItListed_AndTheLastKeyCannotBeRevoked()
    {
        var ws = _app.CreateWorkspace();
        using var admin = _app.SecretClient(ws.SecretKey);
        var created = await (await admin.PostAsJsonAsync("/v1/keys", new { })).ReadJson<CreatedKeyResponse>(201);
        using var doomed = _app.SecretClient(created.SecretKey);
        Assert.That((int)(await doomed.GetAsync("/v1/workspace")).StatusCode, Is.EqualTo(200));

        var revoke = await admin.DeleteAsync($"/v1/keys/{created.Id}");
        var again = await admin.DeleteAsync($"/v1/keys/{created.Id}");
        var refused = await doomed.GetAsync("/v1/workspace");
        var listed = (await Keys(admin)).Single(k => k.Id == created.Id);
        var own = (await Keys(admin)).Single(k => k.Current);
        var last = await (await admin.DeleteAsync($"/v1/keys/{own.Id}")).AssertProblem(409);
        var stillWorks = await admin.GetAsync("/v1/workspace");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)revoke.StatusCode, Is.EqualTo(204));
            Assert.That((int)again.StatusCode, Is.EqualTo(204), "revoking twice changes nothing");
            Assert.That((int)refused.StatusCode, Is.EqualTo(401));
            Assert.That(listed.RevokedAt, Is.EqualTo(_app.Time.GetUtcNow()));
            Assert.That(created.Name, Is.Null);
            Assert.That(last.GetProperty("detail").GetString(), Does.Contain("only active secret key"));
            Assert.That((int)stillWorks.StatusCode, Is.EqualTo(200));
        }
    }

    [Test]
    public async Task Keys_OfAnotherWorkspace_AreInvisible_AndCannotBeRevoked()
    {
        var a = _app.CreateWorkspace("A");
        var b = _app.CreateWorkspace("B");
        using var asA = _app.SecretClient(a.SecretKey);
        using var asB = _app.SecretClient(b.SecretKey);
        await (await asB.PostAsJsonAsync("/v1/keys", new { name = "B's second" })).ReadJson<CreatedKeyResponse>(201);
        var bKeys = await Keys(asB);

        foreach (var key in bKeys)
            await (await asA.DeleteAsync($"/v1/keys/{key.Id}")).AssertProblem(404);
        var aKeys = await Keys(asA);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(aKeys.Select(k => k.Id), Has.None.AnyOf(bKeys.Select(k => k.Id).ToArray()));
            Assert.That((await Keys(asB)).Select(k => k.RevokedAt), Has.All.Null, "nothing of B was revoked");
        }
    }

    [TestCase("""{"name":""}""")]
    [TestCase("""{"name":"   "}""")]
    [TestCase("""{"name":"line\nbreak"}""")]
    public async Task Create_BadName_Is400NamingTheField_AndCreatesNothing(string body)
    {
        var ws = _app.CreateWorkspace();
        using var admin = _app.SecretClient(ws.SecretKey);
        var problem = await (await admin.PostAsync("/v1/keys", Json.Body(body))).AssertProblem(400);
        Assert.That(problem.GetProperty("errors").GetProperty("name")[0].GetString(), Does.StartWith("Give the key a name"));
        Assert.That(await Keys(admin), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Create_BeyondTheActiveKeyLimit_Is409()
    {
        var ws = _app.CreateWorkspace();
        using var admin = _app.SecretClient(ws.SecretKey);
        for (var i = 1; i < KeyEndpoints.MaxActiveKeys; i++)
            await (await admin.PostAsJsonAsync("/v1/keys", new { name = $"k{i}" })).ReadJson<CreatedKeyResponse>(201);
        var problem = await (await admin.PostAsJsonAsync("/v1/keys", new { name = "one too many" })).AssertProblem(409);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("revoke one"));
        Assert.That(await Keys(admin), Has.Length.EqualTo(KeyEndpoints.MaxActiveKeys));
    }

    [Test]
    public async Task Endpoints_NeedASecretKey()
    {
        using var anonymous = _app.CreateClient();
        await (await anonymous.GetAsync("/v1/keys")).AssertProblem(401);
        await (await anonymous.PostAsJsonAsync("/v1/keys", new { })).AssertProblem(401);
        await (await anonymous.DeleteAsync("/v1/keys/key_x")).AssertProblem(401);
        await (await anonymous.PostAsync("/v1/workspace/rotate-identity-secret", null)).AssertProblem(401);
    }

    static async Task<int> Eligibility(HttpClient browser, string siteKey, string userId, string userHash) =>
        (int)(await browser.PostAsJsonAsync("/v1/eligibility", new { siteKey, user = new { id = userId }, userHash })).StatusCode;

    [Test]
    public async Task RotateIdentitySecret_ShowsTheSecretOnce_OldHashesWorkForTheWindowOnly()
    {
        var ws = _app.CreateWorkspace(requireUserHash: true);
        using var admin = _app.SecretClient(ws.SecretKey);
        using var browser = _app.BrowserClient();
        var oldHash = Pulse.Api.Workspaces.Keys.UserHash(ws.IdentitySecret, "u-1");

        var response = await admin.PostAsync("/v1/workspace/rotate-identity-secret", null);
        var rotated = await response.ReadJson<RotatedIdentitySecretResponse>();
        var newHash = Pulse.Api.Workspaces.Keys.UserHash(rotated.IdentitySecret, "u-1");
        var workspace = await (await admin.GetAsync("/v1/workspace")).ReadJson<WorkspaceResponse>();
        var oldDuring = await Eligibility(browser, ws.SiteKey, "u-1", oldHash);
        var newDuring = await Eligibility(browser, ws.SiteKey, "u-1", newHash);
        _app.Time.Advance(TimeSpan.FromDays(1));
        var oldAfter = await Eligibility(browser, ws.SiteKey, "u-1", oldHash);
        var newAfter = await Eligibility(browser, ws.SiteKey, "u-1", newHash);
        var workspaceAfter = await (await admin.GetAsync("/v1/workspace")).ReadJson<WorkspaceResponse>();
        string stored;
        using (var c = _app.Db.Open())
            stored = c.ExecuteScalar<string>("SELECT identity_secret FROM workspaces WHERE id = @Id", new { Id = ws.WorkspaceId })!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotated.IdentitySecret, Does.StartWith("ids_").And.Not.EqualTo(ws.IdentitySecret));
            Assert.That(stored, Is.EqualTo(rotated.IdentitySecret));
            Assert.That(rotated.PreviousSecretExpiresAt, Is.EqualTo(_app.Time.GetUtcNow()), "one day after the rotation, which is now");
            Assert.That(workspace.PreviousIdentitySecretExpiresAt, Is.EqualTo(rotated.PreviousSecretExpiresAt));
            Assert.That(oldDuring, Is.EqualTo(200), "the old secret verifies during the window");
            Assert.That(newDuring, Is.EqualTo(200));
            Assert.That(oldAfter, Is.EqualTo(401), "and is refused once it ends");
            Assert.That(newAfter, Is.EqualTo(200));
            Assert.That(workspaceAfter.PreviousIdentitySecretExpiresAt, Is.Null);
        }
    }

    [Test]
    public async Task RotateIdentitySecret_WithoutAWindow_RefusesOldHashesAtOnce()
    {
        using var app = new PulseFactory(new Dictionary<string, string?> { ["Workspaces:IdentitySecretRotationWindow"] = "00:00:00" });
        var ws = app.CreateWorkspace(requireUserHash: true);
        using var admin = app.SecretClient(ws.SecretKey);
        using var browser = app.BrowserClient();
        var rotated = await (await admin.PostAsync("/v1/workspace/rotate-identity-secret", null)).ReadJson<RotatedIdentitySecretResponse>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rotated.PreviousSecretExpiresAt, Is.Null);
            Assert.That(await Eligibility(browser, ws.SiteKey, "u-1", Pulse.Api.Workspaces.Keys.UserHash(ws.IdentitySecret, "u-1")), Is.EqualTo(401));
            Assert.That(await Eligibility(browser, ws.SiteKey, "u-1", Pulse.Api.Workspaces.Keys.UserHash(rotated.IdentitySecret, "u-1")), Is.EqualTo(200));
        }
    }

    [Test]
    public async Task NpsTarget_IsSetKeptAndClearedByAnExplicitNull_AndOutOfRangeIs400()
    {
        var ws = _app.CreateWorkspace();
        using var admin = _app.SecretClient(ws.SecretKey);
        var set = await (await admin.PutAsync("/v1/workspace", Json.Body("""{"npsTarget":40}"""))).ReadJson<WorkspaceResponse>();
        var kept = await (await admin.PutAsync("/v1/workspace", Json.Body("""{"productName":"Acme HR"}"""))).ReadJson<WorkspaceResponse>();
        var bad = await (await admin.PutAsync("/v1/workspace", Json.Body("""{"npsTarget":101,"productName":"Changed"}"""))).AssertProblem(400);
        var afterBad = await (await admin.GetAsync("/v1/workspace")).ReadJson<WorkspaceResponse>();
        var cleared = await (await admin.PutAsync("/v1/workspace", Json.Body("""{"npsTarget":null}"""))).ReadJson<WorkspaceResponse>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.NpsTarget, Is.EqualTo(40));
            Assert.That(kept.NpsTarget, Is.EqualTo(40), "an omitted target is kept");
            Assert.That(bad.GetProperty("errors").GetProperty("npsTarget")[0].GetString(), Does.Contain("-100 to 100"));
            Assert.That(afterBad.ProductName, Is.EqualTo("Acme HR"), "a refused update changes nothing");
            Assert.That(cleared.NpsTarget, Is.Null);
        }
    }
}
