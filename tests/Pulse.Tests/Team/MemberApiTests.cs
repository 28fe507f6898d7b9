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
/// <c>/v1/members</c> and one-time links: an owner invites, the link is shown once and works once
/// for 7 days, the invitee sets a password (checked against the rules) and is signed in; the last
/// owner stays; a removed member's sessions end; password resets; keys of scope read.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class MemberApiTests(StorageProvider provider)
{
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;
    HttpClient _owner = null!;

    [SetUp]
    public async Task Start()
    {
        _app = new PulseFactory(provider: provider);
        _ = _app.Server;
        _ws = _app.CreateWorkspace("Acme");
        _app.AddMember(_ws.WorkspaceId, "olivia@acme.test", Roles.Owner);
        _owner = await _app.MemberClient("olivia@acme.test");
    }

    [TearDown]
    public void Stop()
    {
        _owner.Dispose();
        _app.Dispose();
    }

    async Task<InvitationResponse> Invite(string email, string role) =>
        await (await _owner.PostAsync("/v1/members", Json.Of(new { email, role }))).ReadJson<InvitationResponse>(201);

    static string Token(InvitationResponse link) => link.Link[(link.Link.IndexOf("#/link/", StringComparison.Ordinal) + "#/link/".Length)..];

    Task<HttpResponseMessage> Accept(HttpClient http, string token, string password, string? name = "Dana") =>
        http.PostAsync("/dashboard/api/links/accept", Json.Of(new { token, name, password }));

    [Test]
    public async Task AnInvitation_IsALinkShownOnce_TheInviteeSetsAPassword_IsSignedIn_AndTheLinkWorksOnce()
    {
        var link = await Invite("Dana@Acme.test", Roles.Analyst);
        var token = Token(link);
        var listed = await (await _owner.GetAsync("/v1/members")).ReadJson<MemberList>();
        using var dana = _app.CookieClient();
        var opened = await (await dana.PostAsync("/dashboard/api/links/open", Json.Of(new { token }))).ReadJson<LinkResponse>();
        var tooShort = await Accept(dana, token, "short");
        var common = await Accept(dana, token, "password1234!");
        var accepted = await (await Accept(dana, token, TeamData.Password)).ReadJson<SessionResponse>();
        var asDana = await dana.GetAsync("/v1/metrics/nps");
        using var thief = _app.CookieClient();
        var again = await Accept(thief, token, "another long passphrase 7");
        var after = await (await _owner.GetAsync("/v1/members")).ReadJson<MemberList>();
        string stored;
        using (var c = _app.Db.Open())
            stored = c.ExecuteScalar<string>("SELECT password_hash FROM members WHERE email = 'dana@acme.test'")!;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(link.Link, Does.StartWith("http://localhost/dashboard#/link/inv_"), "the token travels in the fragment, never to a server");
            Assert.That(link.ExpiresAt, Is.EqualTo(_app.Time.GetUtcNow().AddDays(7)));
            Assert.That(listed.Invitations.Single().Email, Is.EqualTo("dana@acme.test"));
            Assert.That(JsonSerializer.Serialize(listed), Does.Not.Contain(token), "the link is shown only once");
            Assert.That(opened.Kind, Is.EqualTo("invite"));
            Assert.That(opened.WorkspaceName, Is.EqualTo("Acme"));
            Assert.That(opened.NeedsPassword, Is.True);
            Assert.That((int)tooShort.StatusCode, Is.EqualTo(400));
            Assert.That((int)common.StatusCode, Is.EqualTo(400));
            Assert.That(accepted.Role, Is.EqualTo(Roles.Analyst));
            Assert.That(accepted.Member.Name, Is.EqualTo("Dana"));
            Assert.That((int)asDana.StatusCode, Is.EqualTo(200), "signed in by accepting");
            Assert.That((int)again.StatusCode, Is.EqualTo(410), "a link works once");
            Assert.That(after.Items.Select(m => (m.Email, m.Role)), Does.Contain(("dana@acme.test", Roles.Analyst)));
            Assert.That(after.Invitations, Is.Empty);
            Assert.That(stored, Does.Not.Contain(TeamData.Password).And.Length.GreaterThan(60), "a PBKDF2 hash, not the password");
        }
        var weak = (await common.AssertProblem(400)).GetProperty("errors").GetProperty("password")[0].GetString();
        Assert.That(weak, Does.Contain("most common"));
    }

    [Test]
    public async Task AnAnalyst_ListsTheMembers_ToAssignFollowUps_ButNotThePendingInvitations_AndAViewerIsRefused()
    {
        await Invite("pending@acme.test", Roles.Viewer);
        _app.AddMember(_ws.WorkspaceId, "ana@acme.test", Roles.Analyst);
        _app.AddMember(_ws.WorkspaceId, "vic@acme.test", Roles.Viewer);
        using var analyst = await _app.MemberClient("ana@acme.test");
        using var viewer = await _app.MemberClient("vic@acme.test");
        var asOwner = await (await _owner.GetAsync("/v1/members")).ReadJson<MemberList>();
        var asAnalyst = await (await analyst.GetAsync("/v1/members")).ReadJson<MemberList>();
        var refused = await viewer.GetAsync("/v1/members");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(asAnalyst.Items.Select(m => m.Email), Is.EquivalentTo(asOwner.Items.Select(m => m.Email)));
            Assert.That(asAnalyst.Items.Select(m => m.Email), Does.Contain("olivia@acme.test").And.Contain("vic@acme.test"));
            Assert.That(asOwner.Invitations.Select(i => i.Email), Is.EqualTo(new[] { "pending@acme.test" }));
            Assert.That(asAnalyst.Invitations, Is.Empty, "pending invitations are for those who manage members");
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain(Permissions.ReadMembers));
        }
    }

    [Test]
    public async Task AnInvitation_ExpiresAfterSevenDays_AndAnUnknownTokenIs404()
    {
        var token = Token(await Invite("late@acme.test", Roles.Viewer));
        _app.Time.Advance(TimeSpan.FromDays(7));
        using var late = _app.CookieClient();
        var expired = await Accept(late, token, TeamData.Password);
        var unknown = await Accept(late, "inv_" + new string('x', 40), TeamData.Password);
        var detail = (await expired.AssertProblem(410)).GetProperty("detail").GetString();
        await unknown.AssertProblem(404);
        Assert.That(detail, Does.Contain("expired"));
        using var c = _app.Db.Open();
        Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM workspace_members WHERE workspace_id = @Id", new { Id = _ws.WorkspaceId }), Is.EqualTo(1));
    }

    [Test]
    public async Task AnExistingMember_InvitedToASecondWorkspace_JoinsWithTheirOwnPassword_NotANewOne()
    {
        var other = _app.CreateWorkspace("Globex");
        _app.AddMember(other.WorkspaceId, "gus@globex.test", Roles.Owner);
        var token = Token(await Invite("gus@globex.test", Roles.Viewer));
        using var http = _app.CookieClient();
        var opened = await (await http.PostAsync("/dashboard/api/links/open", Json.Of(new { token }))).ReadJson<LinkResponse>();
        var takeover = await Accept(http, token, "a brand new password 99");
        var joined = await (await Accept(http, token, TeamData.Password)).ReadJson<SessionResponse>();
        Assert.That(opened.NeedsPassword, Is.False);
        await takeover.AssertProblem(400);
        Assert.That(joined.Workspaces.Select(w => w.Id), Is.EquivalentTo(new[] { _ws.WorkspaceId, other.WorkspaceId }));
    }

    [Test]
    public async Task TheLastOwner_CannotBeDemotedOrRemoved_UntilThereIsAnother()
    {
        var list = await (await _owner.GetAsync("/v1/members")).ReadJson<MemberList>();
        var olivia = list.Items.Single().Id;
        var demote = await _owner.PutAsync($"/v1/members/{olivia}", Json.Body("""{"role":"admin"}"""));
        var remove = await _owner.DeleteAsync($"/v1/members/{olivia}");
        var second = _app.AddMember(_ws.WorkspaceId, "sam@acme.test", Roles.Owner);
        var demoteNow = await _owner.PutAsync($"/v1/members/{olivia}", Json.Body("""{"role":"admin"}"""));
        using var sam = await _app.MemberClient("sam@acme.test");
        var lastAgain = await sam.DeleteAsync($"/v1/members/{second}");
        Assert.That((await demote.AssertProblem(409)).GetProperty("detail").GetString(), Does.Contain("last owner"));
        await remove.AssertProblem(409);
        Assert.That((await demoteNow.ReadJson<MemberResponse>()).Role, Is.EqualTo(Roles.Admin));
        await lastAgain.AssertProblem(409);
    }

    [Test]
    public async Task ARemovedMember_IsSignedOutOfTheWorkspace_AtOnce()
    {
        var id = _app.AddMember(_ws.WorkspaceId, "leaver@acme.test", Roles.Admin);
        using var leaver = await _app.MemberClient("leaver@acme.test");
        var before = await leaver.GetAsync("/v1/workspace");
        var removed = await _owner.DeleteAsync($"/v1/members/{id}");
        var after = await leaver.GetAsync("/v1/workspace");
        var again = await _owner.DeleteAsync($"/v1/members/{id}");
        Assert.That((int)before.StatusCode, Is.EqualTo(200));
        Assert.That((int)removed.StatusCode, Is.EqualTo(204));
        await after.AssertProblem(401);
        await again.AssertProblem(404);
    }

    [Test]
    public async Task APasswordReset_LinkSetsANewPassword_AndEndsEverySession()
    {
        var id = _app.AddMember(_ws.WorkspaceId, "forgetful@acme.test", Roles.Viewer);
        using var oldSession = await _app.MemberClient("forgetful@acme.test");
        var link = await (await _owner.PostAsync($"/v1/members/{id}/password-reset", null)).ReadJson<InvitationResponse>(201);
        using var http = _app.CookieClient();
        var reset = await Accept(http, Token(link), "a fresh and long passphrase", name: null);
        var oldAfter = await oldSession.GetAsync("/v1/workspace");
        using var anon = _app.CookieClient();
        var oldPassword = await anon.PostAsync("/dashboard/api/sign-in", Json.Of(new { email = "forgetful@acme.test", password = TeamData.Password }));
        var newPassword = await anon.PostAsync("/dashboard/api/sign-in", Json.Of(new { email = "forgetful@acme.test", password = "a fresh and long passphrase" }));
        Assert.That(link.Kind, Is.EqualTo("reset"));
        Assert.That((int)reset.StatusCode, Is.EqualTo(200));
        await oldAfter.AssertProblem(401);
        await oldPassword.AssertProblem(401);
        Assert.That((int)newPassword.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task APasswordReset_OfAMemberOfOtherWorkspaces_IsLeftToTheCommandLine()
    {
        var other = _app.CreateWorkspace("Globex");
        var id = _app.AddMember(other.WorkspaceId, "both@acme.test", Roles.Owner);
        _app.AddMember(_ws.WorkspaceId, "both@acme.test", Roles.Viewer);
        var refused = await _owner.PostAsync($"/v1/members/{id}/password-reset", null);
        Assert.That((await refused.AssertProblem(409)).GetProperty("detail").GetString(), Does.Contain("members reset-password"));
    }

    [Test]
    public async Task BadInvitations_Are400OrConflict_AndCreateNothing()
    {
        var badEmail = await _owner.PostAsync("/v1/members", Json.Of(new { email = "not an email", role = "viewer" }));
        var badRole = await _owner.PostAsync("/v1/members", Json.Of(new { email = "x@acme.test", role = "god" }));
        var already = await _owner.PostAsync("/v1/members", Json.Of(new { email = "olivia@acme.test", role = "viewer" }));
        Assert.That((await badEmail.AssertProblem(400)).GetProperty("errors").TryGetProperty("email", out _), Is.True);
        Assert.That((await badRole.AssertProblem(400)).GetProperty("errors").TryGetProperty("role", out _), Is.True);
        await already.AssertProblem(409);
        using var c = _app.Db.Open();
        Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM invitations"), Is.Zero);
    }

    [Test]
    public async Task AReadKey_ReadsAnalyticsAndExports_AndIsRefusedEveryWrite()
    {
        using var full = _app.SecretClient(_ws.SecretKey);
        var created = await (await full.PostAsync("/v1/keys", Json.Body("""{"name":"BI","scope":"read"}"""))).ReadJson<CreatedKeyResponse>(201);
        var badScope = await full.PostAsync("/v1/keys", Json.Body("""{"scope":"admin"}"""));
        using var read = _app.SecretClient(created.SecretKey);
        var nps = await read.GetAsync("/v1/metrics/nps");
        var csv = await read.GetAsync("/v1/responses.csv");
        var write = await read.PutAsync("/v1/workspace", Json.Body("""{"fatigueDays":1}"""));
        var eligibility = await read.PostAsync("/v1/eligibility", Json.Body("""{"user":{"id":"u-1"}}"""));
        var optOut = await read.PostAsync("/v1/opt-outs", Json.Body("""{"userId":"u-1"}"""));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.Scope, Is.EqualTo(KeyScopes.Read));
            Assert.That((int)nps.StatusCode, Is.EqualTo(200));
            Assert.That((int)csv.StatusCode, Is.EqualTo(200));
            Assert.That((int)badScope.StatusCode, Is.EqualTo(400));
        }
        Assert.That((await write.AssertProblem(403)).GetProperty("detail").GetString(), Does.Contain("'workspace:manage'").And.Contain("scope 'read'"));
        await eligibility.AssertProblem(403);
        await optOut.AssertProblem(403);
        using var c = _app.Db.Open();
        Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM end_users WHERE opted_out_at IS NOT NULL"), Is.Zero);
    }
}
