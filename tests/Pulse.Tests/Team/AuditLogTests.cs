using System.Data.Common;
using System.Text.Json;
using Dapper;
using Pulse.Api.Access;
using Pulse.Api.Storage;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Team;

/// <summary>
/// The audit log: who changed what, from where, before and after, never a secret; read by owners
/// and admins with filters, cursor paging and CSV; append-only, except that erasing an end user
/// clears their personal data.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class AuditLogTests(StorageProvider provider)
{
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;
    HttpClient _admin = null!;
    HttpClient _key = null!;

    [SetUp]
    public async Task Start()
    {
        _app = new PulseFactory(provider: provider);
        _ = _app.Server;
        _ws = _app.CreateWorkspace("Acme");
        _app.AddMember(_ws.WorkspaceId, "adam@acme.test", Roles.Admin);
        _admin = await _app.MemberClient("adam@acme.test");
        _key = _app.SecretClient(_ws.SecretKey);
    }

    [TearDown]
    public void Stop()
    {
        _admin.Dispose();
        _key.Dispose();
        _app.Dispose();
    }

    async Task<AuditPage> Log(string query = "") => await (await _admin.GetAsync("/v1/audit-log" + query)).ReadJson<AuditPage>();

    string RawLog()
    {
        using var c = _app.Db.Open();
        // Every column as text, joined (json_array is SQLite's; this reads the same on PostgreSQL).
        var columns = string.Join(" || '|' || ", new[] { "id", "at", "workspace_id", "actor_type", "actor_id", "actor_label", "action", "target", "address", "before", "after", "end_user_id" }
            .Select(column => $"coalesce(CAST({column} AS TEXT), '')"));
        return string.Join("\n", c.Query<string>($"SELECT {columns} FROM audit_log"));
    }

    [Test]
    public async Task EveryChange_IsRecorded_WithWhoWhatBeforeAndAfter_AndNoSecret()
    {
        var survey = await (await _admin.PostAsync("/v1/surveys", Json.Body("""{"name":"Onboarding"}"""))).ReadJson<JsonElement>(201);
        var id = survey.GetProperty("id").GetString()!;
        await (await _admin.PutAsync($"/v1/surveys/{id}", Json.Body("""{"samplePercent":50}"""))).ReadJson<JsonElement>();
        var key = await (await _key.PostAsync("/v1/keys", Json.Body("""{"name":"CI"}"""))).ReadJson<CreatedKeyResponse>(201);
        var webhook = await (await _admin.PostAsync("/v1/webhooks", Json.Body("""{"url":"https://127.0.0.1:9/h","events":["response.created"]}"""))).ReadJson<JsonElement>(201);
        var rotated = await (await _key.PostAsync("/v1/workspace/rotate-identity-secret", null)).ReadJson<JsonElement>();
        await (await _admin.PutAsync("/v1/workspace", Json.Body("""{"fatigueDays":9}"""))).ReadJson<JsonElement>();
        await (await _admin.DeleteAsync($"/v1/surveys/{id}")).Content.ReadAsStringAsync();

        var log = await Log();
        var raw = RawLog();
        var updated = log.Items.Single(e => e.Action == "survey.updated");
        var keyCreated = log.Items.Single(e => e.Action == "key.created");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(log.Items.Select(e => e.Action).Where(a => !a.StartsWith("member.", StringComparison.Ordinal)), Is.EqualTo(new[]
            {
                "survey.deleted", "workspace.updated", "identity_secret.rotated", "webhook.created", "key.created", "survey.updated", "survey.created",
            }), "newest first");
            Assert.That(updated.ActorType, Is.EqualTo("member"));
            Assert.That(updated.Actor, Is.EqualTo("adam@acme.test"));
            Assert.That(updated.Target, Is.EqualTo(id));
            Assert.That(updated.Before!.Value.GetProperty("samplePercent").GetDouble(), Is.EqualTo(100));
            Assert.That(updated.After!.Value.GetProperty("samplePercent").GetDouble(), Is.EqualTo(50));
            Assert.That(updated.At, Is.EqualTo(_app.Time.GetUtcNow()));
            Assert.That(keyCreated.ActorType, Is.EqualTo("key"));
            Assert.That(keyCreated.Actor, Is.EqualTo(Keys.Hint(_ws.SecretKey)), "a key is named by its hint");
            Assert.That(log.Items.Single(e => e.Action == "workspace.updated").Before!.Value.GetProperty("fatigueDays").GetInt32(), Is.EqualTo(7));
            Assert.That(raw, Does.Not.Contain(key.SecretKey[3..]).And.Not.Contain(_ws.SecretKey[3..]), "no key");
            Assert.That(raw, Does.Not.Contain(webhook.GetProperty("secret").GetString()), "no webhook secret");
            Assert.That(raw, Does.Not.Contain(rotated.GetProperty("identitySecret").GetString()).And.Not.Contain(_ws.IdentitySecret), "no identity secret");
        }
    }

    [Test]
    public async Task FailedSignIns_OfAMember_AreInTheirWorkspacesLog_ForOwnersAndAdmins_NotForAnalysts()
    {
        using var anon = _app.CookieClient();
        await anon.PostAsync("/dashboard/api/sign-in", Json.Of(new { email = "adam@acme.test", password = "wrong password here" }));
        await anon.PostAsync("/dashboard/api/sign-in", Json.Of(new { email = "stranger@elsewhere.test", password = "wrong password here" }));
        _app.AddMember(_ws.WorkspaceId, "ann@acme.test", Roles.Analyst);
        using var analyst = await _app.MemberClient("ann@acme.test");
        var log = await Log("?action=member");
        var denied = await analyst.GetAsync("/v1/audit-log");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(log.Items.Select(e => (e.Action, e.Actor)), Does.Contain(("member.sign_in_failed", (string?)"adam@acme.test"))
                .And.Contain(("member.signed_in", (string?)"adam@acme.test")));
            Assert.That(log.Items.Select(e => e.Actor), Does.Not.Contain("stranger@elsewhere.test"), "not a member of this workspace");
        }
        Assert.That((await denied.AssertProblem(403)).GetProperty("detail").GetString(), Does.Contain("'audit:read'"));
    }

    [Test]
    public async Task TheLog_IsFilteredByActorActionAndTime_PagedByCursor_AndExportedAsCsv()
    {
        for (var i = 0; i < 5; i++)
        {
            await (await _admin.PostAsync("/v1/surveys", Json.Of(new { name = $"=Survey {i}" }))).ReadJson<JsonElement>(201);
            _app.Time.Advance(TimeSpan.FromDays(1));
            _admin = await _app.MemberClient("adam@acme.test"); // a day idle ends a session
        }
        await (await _key.PostAsync("/v1/keys", Json.Body("{}"))).ReadJson<JsonElement>(201);
        var first = await Log("?action=survey&limit=2");
        var second = await Log($"?action=survey&limit=2&cursor={first.NextCursor}");
        var third = await Log($"?action=survey&limit=2&cursor={second.NextCursor}");
        var byKey = await Log($"?actor={Uri.EscapeDataString(Keys.Hint(_ws.SecretKey))}");
        var range = await Log("?action=survey.created&from=2026-03-03&to=2026-03-04");
        var bad = await _admin.GetAsync("/v1/audit-log?from=yesterday&limit=0&cursor=x");
        var csv = await _admin.GetStringAsync("/v1/audit-log.csv?action=survey");
        var lines = csv.TrimEnd().Split('\n');
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Items.Concat(second.Items).Concat(third.Items).Select(e => e.Id).ToList(), Is.Unique.And.Count.EqualTo(5).And.Ordered.Descending);
            Assert.That(third.NextCursor, Is.Null);
            Assert.That(byKey.Items.Select(e => e.Action), Is.EqualTo(new[] { "key.created" }));
            Assert.That(range.Items.Select(e => e.At.UtcDateTime.Date), Is.EqualTo(new[] { new DateTime(2026, 3, 4), new DateTime(2026, 3, 3) }),
                "from and to are whole UTC days, both included");
            Assert.That(lines[0].TrimEnd('\r'), Is.EqualTo(string.Join(",", AuditEndpoints.Columns)));
            Assert.That(lines, Has.Length.EqualTo(6));
            Assert.That(csv, Does.Contain("adam@acme.test").And.Contain("survey.created").And.Contain("=Survey 4"));
        }
        var errors = (await bad.AssertProblem(400)).GetProperty("errors");
        Assert.That(errors.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "from", "limit", "cursor" }));
    }

    [Test]
    public async Task ErasingAnEndUser_RemovesTheirPersonalData_FromTheLog_TheEntriesStay()
    {
        await (await _key.PostAsync("/v1/opt-outs", Json.Body("""{"userId":"dana-4711@customer.test"}"""))).Content.ReadAsStringAsync();
        var before = RawLog();
        var erase = await _key.DeleteAsync("/v1/users/dana-4711@customer.test");
        var after = RawLog();
        var log = await Log("?action=user");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(before, Does.Contain("dana-4711@customer.test"), "the opt-out by key is recorded with the user");
            Assert.That((int)erase.StatusCode, Is.EqualTo(204));
            Assert.That(after, Does.Not.Contain("dana-4711"));
            Assert.That(log.Items.Select(e => (e.Action, e.Target)), Is.EqualTo(new[] { ("user.erased", (string?)"(erased)"), ("user.opted_out", "(erased)") }));
        }
    }

    [Test]
    public void Entries_CannotBeChangedOrDeleted_InTheDatabase()
    {
        using var c = _app.Db.Open();
        using (var tx = c.BeginTransaction())
        {
            Audit.Write(c, tx, Actor.Cli, _ws.WorkspaceId, "test.entry", "x", 1, after: new { a = 1 }, endUserId: "u");
            tx.Commit();
        }
        using (Assert.EnterMultipleScope())
        {
            Assert.Catch<DbException>(() => c.Execute("DELETE FROM audit_log"));
            Assert.Catch<DbException>(() => c.Execute("UPDATE audit_log SET action = 'other'"));
            Assert.Catch<DbException>(() => c.Execute("UPDATE audit_log SET after = '{\"a\":2}'"));
            Assert.That(c.Execute("UPDATE audit_log SET after = NULL, end_user_id = NULL, target = '(erased)' WHERE action = 'test.entry'"), Is.EqualTo(1),
                "erasure may clear");
        }
    }
}
