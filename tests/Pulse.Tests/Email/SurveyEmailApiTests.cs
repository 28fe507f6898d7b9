using Pulse.Api.Storage;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Pulse.Api.Displays;
using Pulse.Api.Eligibility;
using Pulse.Api.Localization;
using Pulse.Api.Email;
using Pulse.Api.Surveys;
using Pulse.Api.Users;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Email;

/// <summary>
/// Surveys by email without a mail server (SMTP settings point at a port nobody listens on, so what
/// would be sent stays in the outbox, where the test reads it): <c>POST /v1/surveys/{id}/send</c>
/// per user, its refusals, the survey's <c>emailFallbackDays</c>, the fallback job, the template's escaping.
/// </summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class SurveyEmailApiTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";

    PulseFactory _app = null!;
    CreatedWorkspace _ws = null!;
    HttpClient _server = null!;
    string _surveyId = null!;

    static Dictionary<string, string?> Refused()
    {
        var settings = EmailOutboxTests.Refused();
        settings["Email:RetryBaseDelay"] = "01:00:00";
        settings["Email:FallbackCheckInterval"] = "01:00:00"; // the test runs the fallback itself
        settings["Email:RetentionDays"] = "3650"; // tests advance the clock by months and count the outbox
        return settings;
    }

    void Start(Dictionary<string, string?>? settings)
    {
        _app = new PulseFactory(settings, provider: provider);
        _ws = _app.CreateWorkspace("Acme", [Origin]);
        _server = _app.SecretClient(_ws.SecretKey);
        _surveyId = DefaultSurveyId(_app.Db, _ws.WorkspaceId);
    }

    [TearDown]
    public void Stop()
    {
        _server?.Dispose();
        _app?.Dispose();
    }

    DateTimeOffset Now => _app.Time.GetUtcNow();

    Task<HttpResponseMessage> Send(params object[] users) => _server.PostAsync($"/v1/surveys/{_surveyId}/send", Json.Of(new { users }));

    (long Displays, long Links, long Emails) Rows()
    {
        using var c = _app.Db.Open();
        return c.QuerySingle<(long, long, long)>(
            "SELECT (SELECT COUNT(*) FROM displays), (SELECT COUNT(*) FROM survey_links), (SELECT COUNT(*) FROM email_outbox)");
    }

    List<(string Recipient, string Kind, string Headers, string Locale)> Outbox()
    {
        using var c = _app.Db.Open();
        return c.Query<(string, string, string, string)>("SELECT recipient, kind, headers, locale FROM email_outbox ORDER BY id").ToList();
    }

    [Test]
    public async Task Send_WithoutSmtp_Is409SayingEmailIsNotConfigured_AndRecordsNothing()
    {
        Start(null);
        var response = await Send(User("u-1", Now, email: "ann@acme.test"));
        var problem = await response.AssertProblem(409);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("Email is not configured").And.Contain("/v1/survey-links"));
            Assert.That(Rows(), Is.EqualTo((0L, 0L, 0L)));
        }
    }

    [Test]
    public async Task Send_WithInvalidUsers_Is400NamingEachField_AndRecordsNothing()
    {
        Start(Refused());
        var empty = await (await Send()).AssertProblem(400);
        var tooMany = await (await Send(Enumerable.Range(0, SurveyEmails.MaxUsers + 1).Select(i => (object)User($"u-{i}", Now, email: "a@acme.test")).ToArray()))
            .AssertProblem(400);
        var fields = await (await Send(User("u-1", Now, email: "not an email"), new { email = "b@acme.test" }, User("u-3", Now, email: "c@acme.test"),
            User("u-3", Now, email: "d@acme.test"), new { id = "u-5", locale = "not a locale!" })).AssertProblem(400);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(empty.GetProperty("errors").TryGetProperty("users", out _), Is.True);
            Assert.That(tooMany.GetProperty("errors").TryGetProperty("users", out _), Is.True);
            Assert.That(fields.GetProperty("errors").EnumerateObject().Select(p => p.Name),
                Is.EquivalentTo(new[] { "users[0].email", "users[1].id", "users[3].id", "users[4].locale" }));
            Assert.That(Rows(), Is.EqualTo((0L, 0L, 0L)), "a bad request changes nothing");
        }
        Assert.That((await _server.PostAsync($"/v1/surveys/{_surveyId}/send", new StringContent("[1,", System.Text.Encoding.UTF8, "application/json"))).StatusCode,
            Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Send_ToAnUnknownSurvey_Is404_AndAReadKeyIs403()
    {
        Start(Refused());
        var response = await _server.PostAsync("/v1/surveys/srv_nope/send", Json.Of(new { users = new[] { User("u-1", Now, email: "a@acme.test") } }));
        await response.AssertProblem(404);
        string key;
        using (var c = _app.Db.Open())
        using (var tx = c.BeginTransaction(deferred: false))
        {
            key = WorkspaceStore.AddKey(c, tx, _ws.WorkspaceId, 0, scope: "read").SecretKey;
            tx.Commit();
        }
        using var readKey = _app.SecretClient(key);
        var forbidden = await readKey.PostAsync($"/v1/surveys/{_surveyId}/send", Json.Of(new { users = new[] { User("u-1", Now, email: "a@acme.test") } }));
        Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(Rows(), Is.EqualTo((0L, 0L, 0L)));
    }

    [Test]
    public async Task Send_SaysPerUser_QueuedNotEligibleOrNoEmail_AndQueuesTheEmailWithItsDisplayAndLink()
    {
        Start(Refused());
        using (var c = _app.Db.Open())
        using (var tx = c.BeginTransaction(deferred: false))
        {
            EndUserStore.OptOut(c, tx, _ws.WorkspaceId, "u-out", Now.ToUnixTimeMilliseconds());
            tx.Commit();
        }
        var answer = await (await Send(
                User("u-ann", Now, email: "ann@acme.test") is var ann ? With(ann, "locale", "de") : null!,
                User("u-nomail", Now),
                User("u-out", Now, email: "out@acme.test"),
                User("u-new", Now, email: "new@acme.test", signedUpDaysAgo: 1)))
            .ReadJson<SurveySendResponse>();
        var again = await (await Send(User("u-ann", Now, email: "ann@acme.test"))).ReadJson<SurveySendResponse>();

        using var db = _app.Db.Open();
        var display = db.QuerySingle<(long Id, string UserId, string Channel, string Locale)>("SELECT id AS Id, user_id AS UserId, channel AS Channel, locale AS Locale FROM displays");
        var link = db.QuerySingle<(long? DisplayId, string Channel)>("SELECT display_id AS DisplayId, channel AS Channel FROM survey_links");
        var outbox = Outbox();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.SurveyId, Is.EqualTo(_surveyId));
            Assert.That(answer.Queued, Is.EqualTo(1));
            Assert.That(answer.Users.Select(u => (u.UserId, u.Status, u.Reason)), Is.EqualTo(new[]
            {
                ("u-ann", SurveySendStatus.Queued, (string?)null),
                ("u-nomail", SurveySendStatus.NoEmail, null),
                ("u-out", SurveySendStatus.NotEligible, Reasons.OptedOut),
                ("u-new", SurveySendStatus.NotEligible, Reasons.TooNew),
            }));
            Assert.That(again.Users.Single().Reason, Is.EqualTo(Reasons.ThrottledDisplay), "the email display counts: nobody is surveyed twice");
            Assert.That(display, Is.EqualTo((display.Id, "u-ann", Channels.Email, "de")));
            Assert.That(link, Is.EqualTo(((long?)display.Id, Channels.Email)), "the link opens the display the email reserved");
            Assert.That(outbox.Select(o => (o.Recipient, o.Kind, o.Locale)), Is.EqualTo(new[] { ("ann@acme.test", EmailKinds.Survey, "de") }));
            Assert.That(JsonSerializer.Deserialize<Dictionary<string, string>>(outbox[0].Headers)!["List-Unsubscribe-Post"], Is.EqualTo("List-Unsubscribe=One-Click"));
            Assert.That(JsonSerializer.Deserialize<Dictionary<string, string>>(outbox[0].Headers)!["List-Unsubscribe"],
                Does.Match("^<https://pulse\\.acme\\.test/s/sl_[A-Za-z0-9]{40}/unsubscribe>$"));
        }
    }

    [Test]
    public async Task OptOut_Unsubscribe_AndErasure_WithdrawTheUsersSurveyEmails_AndErasureLeavesNoMessageToThem()
    {
        Start(Refused());
        var queued = await (await Send(
                User("u-out", Now, email: "out@acme.test"), User("u-unsub", Now, email: "unsub@acme.test"),
                User("u-gone", Now, email: "gone@acme.test"), User("u-keep", Now, email: "keep@acme.test")))
            .ReadJson<SurveySendResponse>();
        Assert.That(queued.Queued, Is.EqualTo(4));
        string unsubscribeUrl;
        using (var c = _app.Db.Open())
        {
            // The erased user's email has gone out already: erasure takes the sent message (and its address) too.
            c.Execute("UPDATE email_outbox SET status = 'sent', html = NULL, text = NULL WHERE recipient = 'gone@acme.test'");
            var headers = c.QuerySingle<string>("SELECT headers FROM email_outbox WHERE recipient = 'unsub@acme.test'");
            unsubscribeUrl = Regex.Match(JsonSerializer.Deserialize<Dictionary<string, string>>(headers)!["List-Unsubscribe"], "^<(.+)>$").Groups[1].Value;
        }

        var optOut = await _server.PostAsync("/v1/opt-outs", Json.Of(new { userId = "u-out" }));
        using var anonymous = _app.CreateClient();
        var unsubscribe = await anonymous.PostAsync(new Uri(unsubscribeUrl).PathAndQuery, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        var erase = await _server.DeleteAsync("/v1/users/u-gone");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((optOut.StatusCode, unsubscribe.StatusCode, erase.StatusCode),
                Is.EqualTo((HttpStatusCode.NoContent, HttpStatusCode.OK, HttpStatusCode.NoContent)));
            Assert.That(Outbox().Select(o => o.Recipient), Is.EqualTo(new[] { "keep@acme.test" }),
                "the opted-out, unsubscribed and erased users' survey emails are gone; the others' stay");
            using var c = _app.Db.Open();
            Assert.That(c.QuerySingle<long>("SELECT COUNT(*) FROM email_outbox WHERE user_id = 'u-keep'"), Is.EqualTo(1), "a survey email names its user");
        }
    }

    static Dictionary<string, object?> With(Dictionary<string, object?> user, string key, object value)
    {
        user[key] = value;
        return user;
    }

    [Test]
    public async Task EmailFallbackDays_IsOffByDefault_ValidatedAndCleared()
    {
        Start(Refused());
        var created = await (await _server.GetAsync($"/v1/surveys/{_surveyId}")).ReadJson<JsonElement>();
        var bad = await (await _server.PutAsync($"/v1/surveys/{_surveyId}", Json.Of(new { emailFallbackDays = 0 }))).AssertProblem(400);
        var tooLong = await (await _server.PutAsync($"/v1/surveys/{_surveyId}", Json.Of(new { emailFallbackDays = 91 }))).AssertProblem(400);
        var set = await (await _server.PutAsync($"/v1/surveys/{_surveyId}", Json.Of(new { emailFallbackDays = 3 }))).ReadJson<JsonElement>();
        var kept = await (await _server.PutAsync($"/v1/surveys/{_surveyId}", Json.Of(new { priority = 2 }))).ReadJson<JsonElement>();
        var cleared = await (await _server.PutAsync($"/v1/surveys/{_surveyId}", Json.Of(new Dictionary<string, object?> { ["emailFallbackDays"] = null }))).ReadJson<JsonElement>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.GetProperty("emailFallbackDays").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(bad.GetProperty("errors").TryGetProperty("emailFallbackDays", out _), Is.True);
            Assert.That(tooLong.GetProperty("errors").TryGetProperty("emailFallbackDays", out _), Is.True);
            Assert.That(set.GetProperty("emailFallbackDays").GetInt32(), Is.EqualTo(3));
            Assert.That(kept.GetProperty("emailFallbackDays").GetInt32(), Is.EqualTo(3), "left out: kept");
            Assert.That(cleared.GetProperty("emailFallbackDays").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }
    }

    /// <summary>Shows the survey in-app to <paramref name="userId"/> now; returns the display's id.</summary>
    long InApp(string userId, string? email)
    {
        using var c = _app.Db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        var (display, _) = TestData.CreateDisplay(c, tx, _ws.WorkspaceId, userId, Now.ToUnixTimeMilliseconds(), email: email,
            hooks: _app.Services.GetRequiredService<DisplayHooks>());
        tx.Commit();
        return display.Id;
    }

    void Write(Action<System.Data.Common.DbConnection, System.Data.Common.DbTransaction> write)
    {
        using var c = _app.Db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        write(c, tx);
        tx.Commit();
    }

    [Test]
    public async Task Fallback_EmailsOnlyUsersWhoIgnoredTheInAppSurvey_AfterTheDays_OncePerCycle_NeverOptedOutOrUnsubscribed()
    {
        Start(Refused());
        (await _server.PutAsync($"/v1/surveys/{_surveyId}", Json.Of(new { emailFallbackDays = 3 }))).EnsureSuccessStatusCode();
        var fallback = _app.Services.GetRequiredService<SurveyEmails>();
        var now = Now.ToUnixTimeMilliseconds();
        InApp("u-ignored", "ignored@acme.test");
        var answered = InApp("u-answered", "answered@acme.test");
        var declined = InApp("u-declined", "declined@acme.test");
        InApp("u-out", "out@acme.test");
        InApp("u-unsub", "unsub@acme.test");
        InApp("u-nomail", null);
        Write((c, tx) =>
        {
            DisplayStore.MarkAnswered(c, tx, answered, now);
            DisplayStore.MarkDeclined(c, tx, declined, now);
            EndUserStore.OptOut(c, tx, _ws.WorkspaceId, "u-out", now);
            EndUserStore.UnsubscribeFromEmail(c, tx, _ws.WorkspaceId, "u-unsub", now);
        });

        _app.Time.Advance(TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1));
        var early = await fallback.RunFallbackAsync();
        _app.Time.Advance(TimeSpan.FromMinutes(1));
        var due = await fallback.RunFallbackAsync();
        var repeat = await fallback.RunFallbackAsync();
        _app.Time.Advance(TimeSpan.FromDays(10));
        var later = await fallback.RunFallbackAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(early, Is.Zero, "not before the survey's fallback days");
            Assert.That(due, Is.EqualTo(1));
            Assert.That((repeat, later), Is.EqualTo((0, 0)), "once per cycle");
            Assert.That(Outbox().Select(o => o.Recipient), Is.EqualTo(new[] { "ignored@acme.test" }));
            Assert.That(_app.Count("displays WHERE channel = 'email' AND user_id = 'u-ignored'"), Is.EqualTo(1));
        }

        // The next cycle (resurveyDays 90): shown in-app again, ignored again: one more email.
        _app.Time.Advance(TimeSpan.FromDays(90));
        InApp("u-ignored", "ignored@acme.test");
        _app.Time.Advance(TimeSpan.FromDays(3));
        Assert.That(await fallback.RunFallbackAsync(), Is.EqualTo(1));
        Assert.That(Outbox().Select(o => o.Recipient), Is.EqualTo(new[] { "ignored@acme.test", "ignored@acme.test" }));
    }

    [Test]
    public async Task Fallback_IsOff_UnlessTheSurveySetsIt()
    {
        Start(Refused());
        InApp("u-ignored", "ignored@acme.test");
        _app.Time.Advance(TimeSpan.FromDays(30));
        Assert.That(await _app.Services.GetRequiredService<SurveyEmails>().RunFallbackAsync(), Is.Zero);
        Assert.That(Rows().Emails, Is.Zero);
    }

    [Test]
    public void Template_EscapesEveryValue_AndHasOneLinkPerPointOfTheKindsScale()
    {
        var survey = new EligibleSurvey("srv_1", "csat", "en", "ltr",
            new SurveyTexts("<script>alert(1)</script> & you?", "<b>low</b>", "\"high\"", new FollowUpTexts(), "", "", "", "", ""),
            new SurveyTheme("#123456", "bottom-right"), new SurveyScale(1, 5, QuestionKinds.Of("csat").Categories));
        var email = SurveyEmailTemplate.Render("ws_1", survey, "<Acme & Co>", "a@acme.test", "https://p.test/s/sl_x", "https://p.test/s/sl_x/unsubscribe", "k");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(email.Html, Does.Not.Contain("<script>").And.Not.Contain("<b>low").And.Not.Contain("<Acme"));
            Assert.That(email.Html, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; you?").And.Contain("&lt;Acme &amp; Co&gt;"));
            Assert.That(System.Text.RegularExpressions.Regex.Matches(email.Html, "href=\"https://p.test/s/sl_x\\?score=(\\d+)\"").Select(m => m.Groups[1].Value),
                Is.EqualTo(new[] { "1", "2", "3", "4", "5" }));
            Assert.That(email.Text, Does.Contain("1 (<b>low</b>): https://p.test/s/sl_x?score=1").And.Contain("5 (\"high\"): https://p.test/s/sl_x?score=5"));
            Assert.That(email.Subject, Is.EqualTo("A quick question from <Acme & Co>"));
            Assert.That(email.Headers!["List-Unsubscribe"], Is.EqualTo("<https://p.test/s/sl_x/unsubscribe>"));
        }
    }
}
