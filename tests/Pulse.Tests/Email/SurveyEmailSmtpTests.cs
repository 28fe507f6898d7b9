using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using MimeKit;
using Pulse.Api.Eligibility;
using Pulse.Api.Email;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Email;

/// <summary>
/// Survey emails through a real SMTP server on loopback (smtp4dev), against the API on a real port
/// (its address is <c>Email:PublicUrl</c>): the RFC 8058 headers, Message-ID, Date, both parts in the
/// user's locale, a score link that records nothing by GET and the answer by the page's POST, and the
/// one-click unsubscribe that stops survey emails but not in-app surveys.
/// </summary>
[Category(TestCategories.Process)]
public sealed class SurveyEmailSmtpTests
{
    Smtp4Dev _smtp = null!;
    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;
    HttpClient _server = null!;
    string _surveyId = null!;

    [OneTimeSetUp]
    public async Task StartSmtp() => _smtp = await Smtp4Dev.StartAsync();

    [OneTimeTearDown]
    public void StopSmtp() => _smtp?.Dispose();

    [SetUp]
    public async Task Start()
    {
        await _smtp.ClearAsync();
        var port = ApiProcess.FreeLoopbackPort();
        var settings = _smtp.Settings;
        settings["Email:PublicUrl"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        settings["Email:FallbackCheckInterval"] = "01:00:00";
        // A test advances the clock 100 days: the dispatcher's timer then fires and would prune the sent email
        // (30 days' retention) before the test counts the outbox.
        settings["Email:RetentionDays"] = "3650";
        _app = new PulseFactory(settings);
        _app.StartKestrel(port);
        _ws = _app.CreateWorkspace("Acme");
        _server = _app.SecretClient(_ws.SecretKey);
        _surveyId = DefaultSurveyId(_app.Db, _ws.WorkspaceId);
    }

    [TearDown]
    public void Stop()
    {
        _server?.Dispose();
        _app?.Dispose();
    }

    async Task<SurveySendResponse> Send(string userId, string email, string? locale = null)
    {
        var user = User(userId, _app.Time.GetUtcNow(), email: email);
        user["locale"] = locale;
        return await (await _server.PostAsync($"/v1/surveys/{_surveyId}/send", Json.Of(new { users = new[] { user } }))).ReadJson<SurveySendResponse>();
    }

    static string PageUrl(MimeMessage m) => Regex.Match(m.HtmlBody ?? "", "href=\"(http://127\\.0\\.0\\.1:\\d+/s/sl_[A-Za-z0-9]{40})\\?score=").Groups[1].Value;

    static string UnsubscribeUrl(MimeMessage m) => Regex.Match(m.Headers["List-Unsubscribe"] ?? "", "^<(.+)>$").Groups[1].Value;

    (long Responses, long Unsubscribed) Rows()
    {
        using var c = _app.Db.Open();
        return c.QuerySingle<(long, long)>("SELECT (SELECT COUNT(*) FROM responses), (SELECT COUNT(*) FROM email_unsubscribes)");
    }

    [Test]
    public async Task TheEmail_HasTheUnsubscribeHeadersAndBothPartsInTheUsersLocale_AndItsScoreLinkRecordsOnlyByThePagesPost()
    {
        var sent = await Send("u-ann", "ann@acme.test", "de");
        var message = (await _smtp.WaitForAsync(1)).Single();
        var page = PageUrl(message);
        using var scanner = new HttpClient();
        var prefetch = await scanner.GetAsync(page + "?score=9");
        var afterGet = Rows().Responses;
        var posted = await scanner.PostAsync(page + "/responses", Json.Of(new { score = 9 }));
        using var c = _app.Db.Open();
        var answer = c.QuerySingle<(long Score, string Channel)>("SELECT r.score AS Score, d.channel AS Channel FROM responses r JOIN displays d ON d.id = r.display_id");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sent.Queued, Is.EqualTo(1));
            Assert.That(message.To.Mailboxes.Single().Address, Is.EqualTo("ann@acme.test"));
            Assert.That(message.Subject, Is.EqualTo("Eine kurze Frage von Acme"));
            Assert.That(message.MessageId, Is.Not.Null.And.Not.Empty);
            Assert.That(message.Headers[HeaderId.Date], Is.Not.Null.And.Not.Empty);
            Assert.That(message.Headers["List-Unsubscribe-Post"], Is.EqualTo("List-Unsubscribe=One-Click"));
            Assert.That(UnsubscribeUrl(message), Is.EqualTo(page + "/unsubscribe"));
            Assert.That(message.HtmlBody, Does.Contain("lang=\"de\"").And.Contain("Wie wahrscheinlich ist es, dass Sie Acme einem Freund oder Kollegen weiterempfehlen würden?")
                .And.Contain("Umfrage-E-Mails abbestellen"));
            Assert.That(Regex.Matches(message.HtmlBody!, "\\?score=(\\d+)\"").Select(m => m.Groups[1].Value), Is.EqualTo(Enumerable.Range(0, 11).Select(i => i.ToString(CultureInfo.InvariantCulture))));
            Assert.That(message.TextBody, Does.Contain("Wählen Sie eine Bewertung").And.Contain(page + "?score=10").And.Contain(page + "/unsubscribe"));
            Assert.That(prefetch.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the link opens the hosted page");
            Assert.That(afterGet, Is.Zero, "a GET (a mail scanner's prefetch) records nothing");
            Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(answer, Is.EqualTo((9L, "email")));
        }
    }

    [Test]
    public async Task OneClickUnsubscribe_StopsSurveyEmails_ButNotInAppSurveys()
    {
        await Send("u-ann", "ann@acme.test");
        var message = (await _smtp.WaitForAsync(1)).Single();
        var url = UnsubscribeUrl(message);
        using var client = new HttpClient();
        var page = await client.GetAsync(url);
        var pageHtml = await page.Content.ReadAsStringAsync();
        var afterGet = Rows().Unsubscribed;
        // What a mail client sends for RFC 8058: a POST with this form body, no cookies.
        var oneClick = await client.PostAsync(url, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        var twice = await client.PostAsync(url, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        var unknown = await client.PostAsync(new Uri(_app.Address!, "/s/sl_" + new string('x', 40) + "/unsubscribe"), null);

        _app.Time.Advance(TimeSpan.FromDays(100));
        var again = await Send("u-ann", "ann@acme.test");
        var inApp = await _server.CheckUser(User("u-ann", _app.Time.GetUtcNow()));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Is.EqualTo(SurveyEmailEndpoints.UnsubscribePolicy));
            Assert.That(pageHtml, Does.Contain("<form method=\"post\"").And.Contain("Don’t ask me again"));
            Assert.That(afterGet, Is.Zero, "the page alone unsubscribes nobody");
            Assert.That(oneClick.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await oneClick.Content.ReadAsStringAsync(), Does.Contain("You are unsubscribed"));
            Assert.That(twice.StatusCode, Is.EqualTo(HttpStatusCode.OK), "unsubscribing twice is fine");
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(Rows().Unsubscribed, Is.EqualTo(1));
            Assert.That((again.Queued, again.Users.Single().Reason), Is.EqualTo((0, SurveySendStatus.Unsubscribed)));
            Assert.That((inApp.Eligible, inApp.Reason), Is.EqualTo((true, Reasons.Eligible)), "in-app surveys are unaffected");
            Assert.That(_app.Count("email_outbox WHERE kind = 'survey'"), Is.EqualTo(1), "no second survey email");
        }
    }
}
