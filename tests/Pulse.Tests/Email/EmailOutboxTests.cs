using System.Net;
using System.Text.Json;
using Dapper;
using Pulse.Api.Access;
using Pulse.Api.Email;
using Pulse.Api.Storage;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Email;

/// <summary>
/// The email outbox without a mail server: nothing is queued without SMTP settings (the link is
/// shown, the status says so); with them, a message is queued in the transaction of what caused
/// it, logged, and kept pending after a refused connection. Preferences, their checks, the preview.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class EmailOutboxTests(StorageProvider provider)
{
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;
    HttpClient _owner = null!;

    /// <summary>SMTP settings pointing at a loopback port nobody listens on: every attempt is refused.</summary>
    internal static Dictionary<string, string?> Refused() => new()
    {
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = ApiProcess.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Email:Smtp:UseStartTls"] = "false",
        ["Email:Smtp:From"] = "pulse@pulse.test",
        ["Email:PublicUrl"] = "https://pulse.acme.test",
    };

    async Task Start(Dictionary<string, string?>? settings)
    {
        _app = new PulseFactory(settings, provider: provider);
        (_ws, _owner) = await _app.AcmeWithOwner("olivia@acme.test");
    }

    [TearDown]
    public void Stop()
    {
        _owner?.Dispose();
        _app?.Dispose();
    }

    IReadOnlyList<(string Kind, string Recipient, string Status, string MessageId)> Outbox()
    {
        using var c = _app.Db.Open();
        return c.Query<(string, string, string, string)>("SELECT kind, recipient, status, message_id FROM email_outbox ORDER BY id").ToList();
    }

    [Test]
    public async Task WithoutSmtp_NothingIsQueued_TheLinkIsShown_AndTheStatusSaysEmailIsNotConfigured()
    {
        await Start(null);
        var invited = await (await _owner.PostAsync("/v1/members", Json.Of(new { email = "dana@acme.test", role = Roles.Analyst }))).ReadJson<InvitationResponse>(201);
        var status = await (await _owner.GetAsync("/v1/email")).ReadJson<EmailStatusResponse>();
        Assert.Multiple(() =>
        {
            Assert.That(invited.Emailed, Is.False);
            Assert.That(invited.Link, Does.Contain("#/link/inv_"));
            Assert.That(Outbox(), Is.Empty);
            Assert.That(status.Configured, Is.False);
            Assert.That(status.From, Is.Null);
        });
    }

    [Test]
    public async Task WithSmtp_AnInvitationIsQueuedWithItsAnswer_Logged_AndPendingAfterARefusedConnection()
    {
        await Start(Refused());
        var invited = await (await _owner.PostAsync("/v1/members", Json.Of(new { email = "dana@acme.test", role = Roles.Analyst }))).ReadJson<InvitationResponse>(201);
        // On disk when the 201 came back: the outbox row committed with the invitation.
        var queued = Outbox();
        Assert.That(queued, Has.Count.EqualTo(1));
        Assert.That(invited.Emailed, Is.True);
        Assert.That(queued[0].Kind, Is.EqualTo(EmailKinds.Invitation));
        Assert.That(queued[0].Recipient, Is.EqualTo("dana@acme.test"));
        Assert.That(queued[0].MessageId, Does.EndWith("@pulse.test"));

        EmailDeliveryPage page;
        var started = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            await Task.Delay(100);
            page = await (await _owner.GetAsync("/v1/email/deliveries")).ReadJson<EmailDeliveryPage>();
        }
        while (page.Items[0].Attempts == 0 && started.Elapsed < TimeSpan.FromSeconds(30));
        var item = page.Items.Single();
        Assert.Multiple(() =>
        {
            Assert.That(item.Status, Is.EqualTo(EmailStore.Pending), "backs off (by the fake clock) after the refused attempt");
            Assert.That(item.Attempts, Is.EqualTo(1));
            Assert.That(item.LastError, Is.Not.Null.And.Not.Empty);
            Assert.That(item.NextAttemptAt, Is.GreaterThan(_app.Time.GetUtcNow()));
            Assert.That(item.MessageId, Is.EqualTo(queued[0].MessageId));
        });
        var retry = await _owner.PostAsync($"/v1/email/deliveries/{item.Id}/retry", null);
        var unknown = await _owner.PostAsync("/v1/email/deliveries/999999/retry", null);
        var badStatus = await _owner.GetAsync("/v1/email/deliveries?status=lost");
        Assert.Multiple(async () =>
        {
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "only failed or uncertain emails are sent again");
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(badStatus.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(badStatus.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That((await (await _owner.GetAsync("/v1/email")).ReadJson<EmailStatusResponse>()).Configured, Is.True);
        });
    }

    [Test]
    public async Task AnotherWorkspace_SeesNoneOfTheEmails()
    {
        await Start(Refused());
        await (await _owner.PostAsync("/v1/members", Json.Of(new { email = "dana@acme.test", role = Roles.Analyst }))).ReadJson<InvitationResponse>(201);
        var other = _app.CreateWorkspace("Other");
        using var otherKey = _app.SecretClient(other.SecretKey);
        var page = await (await otherKey.GetAsync("/v1/email/deliveries")).ReadJson<EmailDeliveryPage>();
        var id = Outbox().Count;
        var retry = await otherKey.PostAsync($"/v1/email/deliveries/{id}/retry", null);
        Assert.Multiple(() =>
        {
            Assert.That(page.Items, Is.Empty);
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Preferences_HaveDefaults_ChangeOneFieldAtATime_RefuseBadValuesUnchanged_AndBelongToMembers()
    {
        await Start(Refused());
        var defaults = await (await _owner.GetAsync("/dashboard/api/email/preferences")).ReadJson<EmailPreferencesResponse>();
        var changed = await (await _owner.PutAsync("/dashboard/api/email/preferences", Json.Of(new { digest = "daily", timeZone = "Europe/Paris", digestHour = 7 })))
            .ReadJson<EmailPreferencesResponse>();
        var bad = new[]
        {
            ("""{"timeZone":"Mars/Olympus"}""", "timeZone"), ("""{"digest":"hourly"}""", "digest"), ("""{"digestDay":7}""", "digestDay"),
            ("""{"digestHour":24}""", "digestHour"),
        };
        foreach (var (body, field) in bad)
        {
            var refused = await _owner.PutAsync("/dashboard/api/email/preferences", Json.Body(body));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
            Assert.That((await refused.ReadJson<JsonElement>(400)).GetProperty("errors").TryGetProperty(field, out _), Is.True, body);
        }
        var unknownField = await _owner.PutAsync("/dashboard/api/email/preferences", Json.Body("""{"digets":"daily"}"""));
        var after = await (await _owner.GetAsync("/dashboard/api/email/preferences")).ReadJson<EmailPreferencesResponse>();
        using var key = _app.SecretClient(_ws.SecretKey);
        var asKey = await key.GetAsync("/dashboard/api/email/preferences");
        Assert.Multiple(() =>
        {
            Assert.That(defaults, Is.EqualTo(new EmailPreferencesResponse(true, "weekly", 1, 8, "UTC")));
            Assert.That(changed, Is.EqualTo(new EmailPreferencesResponse(true, "daily", 1, 7, "Europe/Paris")));
            Assert.That(unknownField.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(after, Is.EqualTo(changed), "refused changes changed nothing");
            Assert.That(asKey.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task AFollowUpAssigned_QueuesAnEmailToTheAssignee_UnlessTheyTurnedItOff()
    {
        await Start(Refused());
        var danaId = _app.AddMember(_ws.WorkspaceId, "dana@acme.test", Roles.Analyst);
        using var dana = await _app.MemberClient("dana@acme.test");
        using var key = _app.SecretClient(_ws.SecretKey);
        (await key.PutAsync("/v1/follow-ups/settings", Json.Of(new { fallbackAssignee = "dana@acme.test" }))).EnsureSuccessStatusCode();
        using var widget = _app.BrowserClient();
        async Task Answer(string user)
        {
            var (_, token) = _app.CreateDisplay(_ws.WorkspaceId, user);
            (await widget.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 1, comment = "<b>slow</b>" }))).EnsureSuccessStatusCode();
        }
        await Answer("u1");
        (await dana.PutAsync("/dashboard/api/email/preferences", Json.Of(new { followUpEmails = false }))).EnsureSuccessStatusCode();
        await Answer("u2");
        var queued = Outbox();
        Assert.That(queued.Select(q => (q.Kind, q.Recipient)), Is.EqualTo(new[] { (EmailKinds.FollowUpAssigned, "dana@acme.test") }));
        Assert.That(danaId, Does.StartWith("mem_"));
    }

    [Test]
    public async Task ThePreview_IsTheMembersDigestAsHtml_Escaped_UnderAPolicyWithoutScript()
    {
        await Start(null);
        using var widget = _app.BrowserClient();
        var (_, token) = _app.CreateDisplay(_ws.WorkspaceId, "eve", traitsJson: """{"email":"eve@x.test"}""");
        (await widget.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 0, comment = "<script>alert(1)</script>" }))).EnsureSuccessStatusCode();
        _app.Time.Advance(TimeSpan.FromMinutes(1));
        var preview = await _owner.GetAsync("/dashboard/api/email/digest/preview");
        var html = await preview.Content.ReadAsStringAsync();
        using var key = _app.SecretClient(_ws.SecretKey);
        Assert.Multiple(async () =>
        {
            Assert.That(preview.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(preview.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(preview.Headers.GetValues("Content-Security-Policy").Single(), Is.EqualTo(EmailEndpoints.PreviewPolicy));
            Assert.That(preview.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("SAMEORIGIN"));
            Assert.That(html, Does.Contain("New detractors (1)").And.Contain("&lt;script&gt;alert(1)&lt;/script&gt;").And.Not.Contain("<script>"));
            Assert.That((await key.GetAsync("/dashboard/api/email/digest/preview")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }
}
