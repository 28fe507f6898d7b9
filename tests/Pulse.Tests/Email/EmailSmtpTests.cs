using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Pulse.Api.Access;
using Pulse.Api.Email;
using Pulse.Api.Team;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using Pulse.Tests.Webhooks;

namespace Pulse.Tests.Email;

/// <summary>
/// Email through a real SMTP server on loopback (smtp4dev): what arrives has its Message-ID (the
/// one in the log) and Date, an HTML and a plain-text part, and links that work against the
/// running API. Invitations, password resets, follow-ups assigned, the digest at the member's hour.
/// </summary>
[Category(TestCategories.Process)]
public sealed class EmailSmtpTests
{
    Smtp4Dev _smtp = null!;
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;
    HttpClient _owner = null!;

    [OneTimeSetUp]
    public async Task StartSmtp() => _smtp = await Smtp4Dev.StartAsync();

    [OneTimeTearDown]
    public void StopSmtp() => _smtp?.Dispose();

    [SetUp]
    public async Task Start()
    {
        await _smtp.ClearAsync();
        var settings = _smtp.Settings;
        settings["Email:DigestCheckInterval"] = "01:00:00"; // the test runs the scheduler itself
        _app = new PulseFactory(settings);
        (_ws, _owner) = await _app.AcmeWithOwner("olivia@acme.test");
    }

    [TearDown]
    public void Stop()
    {
        _owner?.Dispose();
        _app?.Dispose();
    }

    static string Html(MimeMessage m) => m.HtmlBody ?? "";

    static string Text(MimeMessage m) => m.TextBody ?? "";

    static string LinkToken(string body) => Regex.Match(body, "#/link/(inv_[A-Za-z0-9]+)").Groups[1].Value;

    async Task<EmailDeliveryResponse> Logged(string kind)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var page = await (await _owner.GetAsync("/v1/email/deliveries")).ReadJson<EmailDeliveryPage>();
            var item = page.Items.FirstOrDefault(i => i.Kind == kind);
            if (item is { Status: EmailStore.Sent } || started.Elapsed > TimeSpan.FromSeconds(30))
                return item!;
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task AnInvitation_ArrivesWithItsMessageIdDateAndBothParts_AndItsLinkOpensTheInvitation()
    {
        var invited = await (await _owner.PostAsync("/v1/members", Json.Of(new { email = "dana@acme.test", role = Roles.Analyst }))).ReadJson<InvitationResponse>(201);
        var message = (await _smtp.WaitForAsync(1)).Single();
        var logged = await Logged(EmailKinds.Invitation);
        var token = LinkToken(Text(message));
        using var dana = _app.CookieClient();
        var opened = await dana.PostAsync("/dashboard/api/links/open", Json.Of(new { token }));
        Assert.Multiple(async () =>
        {
            Assert.That(invited.Emailed, Is.True);
            Assert.That(message.To.Mailboxes.Single().Address, Is.EqualTo("dana@acme.test"));
            Assert.That(message.From.Mailboxes.Single().Address, Is.EqualTo("pulse@pulse.test"));
            Assert.That(message.Subject, Is.EqualTo("You are invited to Acme on Pulse"));
            Assert.That(message.MessageId, Is.EqualTo(logged.MessageId), "the Message-ID fixed when queued");
            Assert.That(message.Headers[HeaderId.Date], Is.Not.Null.And.Not.Empty);
            Assert.That(message.Date, Is.EqualTo(_app.Time.GetUtcNow()).Within(TimeSpan.FromSeconds(1)), "Date by the injected clock");
            Assert.That(Html(message), Does.Contain("Accept the invitation").And.Contain(invited.Link));
            Assert.That(Text(message), Does.Contain(invited.Link));
            Assert.That(LinkToken(Html(message)), Is.EqualTo(token));
            Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the emailed link works against the running API");
            Assert.That((await opened.ReadJson<LinkResponse>()).Email, Is.EqualTo("dana@acme.test"));
            Assert.That(logged.Status, Is.EqualTo(EmailStore.Sent));
            Assert.That(logged.SentAt, Is.Not.Null);
        });
        using var c = _app.Db.Open();
        Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM email_outbox WHERE html IS NOT NULL OR text IS NOT NULL"), Is.Zero,
            "a sent email's bodies (and the one-time link in them) are not kept");
    }

    [Test]
    public async Task APasswordReset_Arrives_AndItsLinkSetsTheNewPassword()
    {
        var danaId = _app.AddMember(_ws.WorkspaceId, "dana@acme.test", Roles.Analyst);
        var reset = await (await _owner.PostAsync($"/v1/members/{danaId}/password-reset", null)).ReadJson<InvitationResponse>(201);
        var message = (await _smtp.WaitForAsync(1)).Single();
        using var dana = _app.CookieClient();
        var accepted = await dana.PostAsync("/dashboard/api/links/accept",
            Json.Of(new { token = LinkToken(Html(message)), name = "Dana", password = "a brand new passphrase 99" }));
        Assert.Multiple(() =>
        {
            Assert.That(reset.Emailed, Is.True);
            Assert.That(message.Subject, Is.EqualTo("Set a new password for Pulse"));
            Assert.That(Text(message), Does.Contain(reset.Link));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task AFollowUpAssigned_EmailsTheAssignee_WithTheCommentEscaped_AndALinkToTheResponse()
    {
        _app.AddMember(_ws.WorkspaceId, "dana@acme.test", Roles.Analyst);
        using var key = _app.SecretClient(_ws.SecretKey);
        (await key.PutAsync("/v1/follow-ups/settings", Json.Of(new { fallbackAssignee = "dana@acme.test" }))).EnsureSuccessStatusCode();
        using var widget = _app.BrowserClient();
        var (_, token) = _app.CreateDisplay(_ws.WorkspaceId, "eve");
        var saved = await (await widget.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 2, comment = "<img src=x onerror=alert(1)> too slow" })))
            .ReadJson<JsonElement>(201);
        var message = (await _smtp.WaitForAsync(1)).Single();
        var responseId = saved.GetProperty("id").GetInt64();
        Assert.Multiple(async () =>
        {
            Assert.That(message.To.Mailboxes.Single().Address, Is.EqualTo("dana@acme.test"));
            Assert.That(message.Subject, Is.EqualTo("Follow-up assigned to you: 2/10 from eve"));
            Assert.That(Html(message), Does.Contain("&lt;img src=x onerror=alert(1)&gt; too slow").And.Not.Contain("<img"));
            Assert.That(Text(message), Does.Contain("<img src=x onerror=alert(1)> too slow"));
            Assert.That(Text(message), Does.Contain($"http://localhost:5080/dashboard#/responses/{responseId}"));
            // The link's route answers for the response it names.
            Assert.That((await key.GetAsync($"/v1/responses/{responseId}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task TheDigest_GoesAtTheMembersHourInTheirZone_Once_WithTheWeeksNumbers()
    {
        // 2026-03-02 12:00 UTC is 07:00 in New York; the member wants it daily at 09:00 there.
        (await _owner.PutAsync("/dashboard/api/email/preferences", Json.Of(new { digest = "daily", digestHour = 9, timeZone = "America/New_York" }))).EnsureSuccessStatusCode();
        using var widget = _app.BrowserClient();
        var (_, token) = _app.CreateDisplay(_ws.WorkspaceId, "eve", traitsJson: """{"email":"eve@x.test"}""");
        (await widget.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 0, comment = "<script>x</script> broken" }))).EnsureSuccessStatusCode();
        var scheduler = _app.Services.GetRequiredService<DigestScheduler>();
        _app.Time.Advance(TimeSpan.FromHours(1.5)); // 08:30 there
        var early = await scheduler.RunOnceAsync();
        _app.Time.Advance(TimeSpan.FromHours(1)); // 09:30 there
        var due = await scheduler.RunOnceAsync();
        var again = await scheduler.RunOnceAsync();
        var message = (await _smtp.WaitForAsync(1)).Single();
        Assert.Multiple(() =>
        {
            Assert.That((early, due, again), Is.EqualTo((0, 1, 0)));
            Assert.That(message.To.Mailboxes.Single().Address, Is.EqualTo("olivia@acme.test"));
            Assert.That(message.Subject, Is.EqualTo("Acme: NPS -100 this day"));
            Assert.That(Text(message), Does.Contain("Answers 1").And.Contain("<script>x</script> broken").And.Contain("(America/New_York)"));
            Assert.That(Html(message), Does.Contain("New detractors (1)").And.Contain("&lt;script&gt;x&lt;/script&gt; broken").And.Not.Contain("<script>"));
            Assert.That(Html(message), Does.Contain("href=\"http://localhost:5080/dashboard#/overview\""));
        });
    }

    [Test]
    public async Task SentEmails_PastRetention_ArePruned_YoungerOnesStay()
    {
        (await _owner.PostAsync("/v1/members", Json.Of(new { email = "dana@acme.test", role = Roles.Analyst }))).EnsureSuccessStatusCode();
        await _smtp.WaitForAsync(1);
        await Logged(EmailKinds.Invitation);
        _app.Time.Advance(TimeSpan.FromDays(20));
        using var owner = await _app.MemberClient("olivia@acme.test"); // the first session has expired
        (await owner.PostAsync("/v1/members", Json.Of(new { email = "erin@acme.test", role = Roles.Analyst }))).EnsureSuccessStatusCode();
        await _smtp.WaitForAsync(2);
        await Poll.UntilAsync(() => _app.Count("email_outbox WHERE recipient = 'erin@acme.test' AND status = 'sent'") == 1, "erin's invitation sent");

        // Dana's is now 31 days old (retention 30), Erin's 11: the dispatcher's timer fires and prunes.
        _app.Time.Advance(TimeSpan.FromDays(new EmailOptions().RetentionDays - 19));
        await Poll.UntilAsync(() => _app.Count("email_outbox WHERE recipient = 'dana@acme.test'") == 0, "dana's invitation pruned");
        Assert.That(_app.Count("email_outbox WHERE recipient = 'erin@acme.test'"), Is.EqualTo(1), "a younger email stays");
    }
}
