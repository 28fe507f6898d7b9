using Pulse.Api.Storage;
using System.Net;
using System.Text;
using Dapper;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;
using static Pulse.Tests.Links.LinkCalls;

namespace Pulse.Tests.Links;

/// <summary>Personal survey links (issue 18): creating them, the hosted page's answers, expiry, one answer per link, isolation.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class SurveyLinkApiTests(StorageProvider provider)
{
    const string Origin = "https://app.acme.test";
    static readonly DateTimeOffset Now = PulseFactory.DefaultNow;

    PulseFactory _app = null!;

    [SetUp]
    public void Start() => _app = new PulseFactory(provider: provider);

    [TearDown]
    public void Stop() => _app.Dispose();

    (CreatedWorkspace Workspace, HttpClient Server, string SurveyId) Workspace(string name = "Acme")
    {
        var ws = _app.CreateWorkspace(name, [Origin]);
        return (ws, _app.SecretClient(ws.SecretKey), DefaultSurveyId(_app.Db, ws.WorkspaceId));
    }

    [Test]
    public async Task Create_ReturnsAPersonalUrl_ValidFor14Days_AndStoresOnlyAHashOfTheToken()
    {
        var (_, server, surveyId) = Workspace();

        var link = await server.CreateLink(new { user = User("u-1", Now, email: "jane@acme.test"), locale = "de" });

        var path = PathOf(link);
        var token = path["/s/".Length..];
        using var c = _app.Db.Open();
        var stored = c.QuerySingle<(byte[] Hash, string Channel, string Locale, long ExpiresAt)>(
            "SELECT token_hash AS Hash, channel AS Channel, locale AS Locale, expires_at AS ExpiresAt FROM survey_links");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(token, Does.Match("^sl_[A-Za-z0-9]{40}$"));
            Assert.That(link.GetProperty("url").GetString(), Does.StartWith("http").And.EndWith(path));
            Assert.That(link.GetProperty("surveyId").GetString(), Is.EqualTo(surveyId));
            Assert.That(link.GetProperty("channel").GetString(), Is.EqualTo("link"));
            Assert.That(link.GetProperty("expiresAt").GetDateTimeOffset(), Is.EqualTo(Now.AddDays(14)));
            Assert.That(stored.Hash, Is.EqualTo(Keys.Hash(token)), "only the SHA-256 of the token is stored");
            Assert.That(stored.Hash, Is.Not.EqualTo(Encoding.UTF8.GetBytes(token)));
            Assert.That((stored.Channel, stored.Locale, stored.ExpiresAt), Is.EqualTo(("link", "de", Now.AddDays(14).ToUnixTimeMilliseconds())));
            Assert.That(Rows(_app), Is.EqualTo((1L, 0L, 0L)), "creating a link shows nothing yet");
        }
    }

    [Test]
    public async Task Create_WithInvalidFields_Is400NamingEachField_AndStoresNothing()
    {
        var (_, server, _) = Workspace();

        var response = await server.PostAsync("/v1/survey-links", Json.Of(new
        {
            user = new { id = "", email = "not-an-email", traits = new Dictionary<string, object> { ["9bad"] = 1 } },
            surveyId = new string('x', 65),
            locale = "not a locale",
            channel = "sms",
        }));
        var problem = await response.AssertProblem(400);
        var missing = await (await server.PostAsync("/v1/survey-links", Json.Of(new { surveyId = "srv_x" }))).AssertProblem(400);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem.GetProperty("errors").EnumerateObject().Select(p => p.Name),
                Is.EquivalentTo(new[] { "user.id", "user.email", "user.traits", "surveyId", "locale", "channel" }));
            Assert.That(missing.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "user" }));
            Assert.That(Rows(_app), Is.EqualTo((0L, 0L, 0L)));
            using var c = _app.Db.Open();
            Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM end_users"), Is.Zero);
        }
    }

    [Test]
    public async Task Create_ForAUserWhoIsNotEligible_Is409WithTheReason_AndAnUnknownSurveyIs404()
    {
        var (_, server, _) = Workspace();

        var tooNew = await (await server.PostAsync("/v1/survey-links", Json.Of(new { user = User("u-new", Now, signedUpDaysAgo: 1) }))).AssertProblem(409);
        var unknown = await server.PostAsync("/v1/survey-links", Json.Of(new { user = User("u-1", Now), surveyId = "srv_nope" }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(tooNew.GetProperty("reason").GetString(), Is.EqualTo("too_new"));
            await unknown.AssertProblem(404);
            Assert.That(Rows(_app).Links, Is.Zero);
        }
    }

    [Test]
    public async Task Open_RecordsOneDisplayOfChannelLink_AndAGetWithAScoreRecordsNoAnswer()
    {
        var (_, server, _) = Workspace();
        var path = PathOf(await server.CreateLink(new { user = User("u-1", Now), locale = "fr" }));
        using var visitor = _app.CreateClient();

        var first = await visitor.GetAsync(path + "?score=9");
        var html = await first.Content.ReadAsStringAsync();
        var again = await visitor.GetAsync(path + "?score=10");
        var nonsense = await visitor.GetAsync(path + "?score=ten");

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)first.StatusCode, Is.EqualTo(200), html);
            Assert.That(first.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
            Assert.That(html, Does.Contain("<html lang=\"fr\" dir=\"ltr\">").And.Contain("\"score\":9").And.Contain("/widget/v1/pulse.js"));
            Assert.That(html, Does.Not.Contain("<script>"), "no inline script");
            Assert.That(first.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'").And.Not.Contain("unsafe"));
            Assert.That(first.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"));
            Assert.That(first.Headers.GetValues("X-Robots-Tag").Single(), Is.EqualTo("noindex"));
            Assert.That(first.Headers.Contains("Set-Cookie"), Is.False, "no cookies");
            Assert.That((int)again.StatusCode, Is.EqualTo(200));
            Assert.That((int)nonsense.StatusCode, Is.EqualTo(200), "a score that is not 0–10 pre-selects nothing");
            Assert.That(await nonsense.Content.ReadAsStringAsync(), Does.Contain("\"score\":null"));
            Assert.That(Rows(_app), Is.EqualTo((1L, 1L, 0L)), "one display per link, and no answer from a GET");
            Assert.That(Channels(_app), Is.EqualTo(new[] { "link" }));
        }
    }

    [Test]
    public async Task Answer_IsOnePerLink_TheCommentMayFollow_ButTheScoreStands_AndTheLinkThenSaysSoPolitely()
    {
        var (_, server, _) = Workspace();
        var path = PathOf(await server.CreateLink(new { user = User("u-1", Now) }));
        using var visitor = _app.CreateClient();
        await visitor.GetAsync(path);

        var answer = await visitor.PostAsync(path + "/responses", Json.Of(new { score = 9 }));
        var comment = await visitor.PostAsync(path + "/responses", Json.Of(new { score = 9, comment = "Fast support" }));
        var change = await visitor.PostAsync(path + "/responses", Json.Of(new { score = 2 }));
        var reopened = await visitor.GetAsync(path);
        var page = await reopened.Content.ReadAsStringAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)answer.StatusCode, Is.EqualTo(201), await answer.Content.ReadAsStringAsync());
            Assert.That((int)comment.StatusCode, Is.EqualTo(200), await comment.Content.ReadAsStringAsync());
            await change.AssertProblem(410);
            Assert.That((int)reopened.StatusCode, Is.EqualTo(410));
            Assert.That(reopened.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"), "a page, not problem+json");
            Assert.That(page, Does.Contain("already answered").And.Not.Contain("Exception"));
            using var c = _app.Db.Open();
            Assert.That(c.QuerySingle<(long Score, string Comment)>("SELECT score AS Score, comment AS Comment FROM responses"), Is.EqualTo((9L, "Fast support")));
        }
    }

    [Test]
    public async Task Answer_WithABadScore_Is400NamingIt_AndRecordsNothing()
    {
        var (_, server, _) = Workspace();
        var path = PathOf(await server.CreateLink(new { user = User("u-1", Now) }));
        using var visitor = _app.CreateClient();

        var problem = await (await visitor.PostAsync(path + "/responses", Json.Of(new { score = 11 }))).AssertProblem(400);

        Assert.That(problem.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "score" }));
        Assert.That(Rows(_app), Is.EqualTo((1L, 0L, 0L)));
    }

    [Test]
    public async Task Link_ExpiresAfterLinkDays_ThenOpeningIs410WithAPage_AndAnsweringIs410()
    {
        _app.Dispose();
        _app = new PulseFactory(new Dictionary<string, string?> { ["Links:LinkDays"] = "3" }, provider: provider);
        var (_, server, _) = Workspace();
        var path = PathOf(await server.CreateLink(new { user = User("u-1", Now) }));
        using var visitor = _app.CreateClient();

        _app.Time.Advance(TimeSpan.FromDays(3) - TimeSpan.FromMilliseconds(1));
        var lastMoment = await visitor.GetAsync(path);
        _app.Time.Advance(TimeSpan.FromMilliseconds(1));
        var expired = await visitor.GetAsync(path);
        var late = await visitor.PostAsync(path + "/responses", Json.Of(new { score = 9 }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)lastMoment.StatusCode, Is.EqualTo(200));
            Assert.That((int)expired.StatusCode, Is.EqualTo(410));
            Assert.That(await expired.Content.ReadAsStringAsync(), Does.Contain("expired"));
            Assert.That(expired.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
            await late.AssertProblem(410);
            Assert.That(Rows(_app).Responses, Is.Zero);
        }
    }

    [TestCase("/s/sl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("/s/nonsense")]
    [TestCase("/s/dt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task UnknownLink_Is404WithAPolitePage(string path)
    {
        using var visitor = _app.CreateClient();

        var response = await visitor.GetAsync(path);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("could not find this survey link"));
        }
        await (await visitor.PostAsync(path + "/responses", Json.Of(new { score = 9 }))).AssertProblem(404);
    }

    [Test]
    public async Task NobodyIsSurveyedTwiceInACycle_InAppAnswerClosesTheLink_AndALinkAnswerThrottlesInApp()
    {
        var (_, server, _) = Workspace();
        using var browser = _app.BrowserClient(Origin);
        using var visitor = _app.CreateClient();
        // u-1: a link, then an in-app answer before the link is opened.
        var path1 = PathOf(await server.CreateLink(new { user = User("u-1", Now) }));
        var shown = await server.CheckUser(User("u-1", Now));
        (await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = shown.DisplayToken, score = 8 }))).EnsureSuccessStatusCode();
        var closed = await visitor.GetAsync(path1);
        // u-2: a link answered, then in-app and another link.
        var path2 = PathOf(await server.CreateLink(new { user = User("u-2", Now) }));
        (await visitor.PostAsync(path2 + "/responses", Json.Of(new { score = 10 }))).EnsureSuccessStatusCode();
        var inApp = await server.CheckUser(User("u-2", Now));
        var second = await (await server.PostAsync("/v1/survey-links", Json.Of(new { user = User("u-2", Now) }))).AssertProblem(409);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)closed.StatusCode, Is.EqualTo(410));
            Assert.That(await closed.Content.ReadAsStringAsync(), Does.Contain("no longer available"));
            Assert.That(inApp.Reason, Is.EqualTo("throttled_response"));
            Assert.That(second.GetProperty("reason").GetString(), Is.EqualTo("throttled_response"));
        }
    }

    [Test]
    public async Task Links_AreIsolatedByWorkspace_AndNeedAFullSecretKey()
    {
        var (wsA, serverA, surveyA) = Workspace("Acme");
        var (wsB, serverB, _) = Workspace("Globex");
        string readKey;
        using (var c = _app.Db.Open())
        using (var tx = c.BeginTransaction(deferred: false))
        {
            readKey = WorkspaceStore.AddKey(c, tx, wsB.WorkspaceId, 0, scope: "read").SecretKey;
            tx.Commit();
        }
        using var anonymous = _app.CreateClient();

        var foreign = await serverB.PostAsync("/v1/survey-links", Json.Of(new { user = User("u-1", Now), surveyId = surveyA }));
        var readOnly = await _app.SecretClient(readKey).PostAsync("/v1/survey-links", Json.Of(new { user = User("u-1", Now) }));
        var noKey = await anonymous.PostAsync("/v1/survey-links", Json.Of(new { user = User("u-1", Now) }));
        var path = PathOf(await serverA.CreateLink(new { user = User("u-1", Now) }));
        await anonymous.GetAsync(path);

        using (Assert.EnterMultipleScope())
        {
            await foreign.AssertProblem(404);
            await readOnly.AssertProblem(403);
            await noKey.AssertProblem(401);
            using var c = _app.Db.Open();
            Assert.That(c.Query<string>("SELECT workspace_id FROM displays"), Is.EqualTo(new[] { wsA.WorkspaceId }));
            Assert.That(c.ExecuteScalar<long>("SELECT COUNT(*) FROM end_users WHERE workspace_id = @W", new { W = wsB.WorkspaceId }), Is.Zero);
        }
    }

    [Test]
    public async Task ErasingTheUser_RemovesTheirLinks()
    {
        var (_, server, _) = Workspace();
        var path = PathOf(await server.CreateLink(new { user = User("u-1", Now) }));
        using var visitor = _app.CreateClient();
        await visitor.GetAsync(path);

        (await server.DeleteAsync("/v1/users/u-1")).EnsureSuccessStatusCode();

        Assert.That(Rows(_app), Is.EqualTo((0L, 0L, 0L)));
        Assert.That((int)(await visitor.GetAsync(path)).StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task DontAskMeAgain_OnThePage_OptsTheUserOut_ThePageConfirmsIt_InTheLinksLanguage_AndInAppAsksNoMore()
    {
        var (_, server, _) = Workspace();
        var path = PathOf(await server.CreateLink(new { user = User("u-1", Now), locale = "de" }));
        using var visitor = _app.CreateClient();
        var page = await visitor.GetStringAsync(path);

        var opted = await visitor.PostAsync(path + "/opt-out", Json.Of(new { }));
        var again = await visitor.PostAsync(path + "/opt-out", null);
        var confirmed = await visitor.GetAsync(path);
        var answered = await visitor.PostAsync(path + "/responses", Json.Of(new { score = 9 }));
        var inApp = await server.CheckUser(User("u-1", Now));
        var unknown = await (await visitor.PostAsync("/s/sl_" + new string('a', 40) + "/opt-out", null)).AssertProblem(404);
        using var c = _app.Db.Open();
        var optedOutAt = c.ExecuteScalar<long?>("SELECT opted_out_at FROM end_users WHERE user_id = 'u-1'");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page, Does.Contain("Nicht mehr fragen"), "the page offers the opt-out in the link's language");
            Assert.That(WebUtility.HtmlDecode(page), Does.Contain("<noscript><p>Diese Umfrage benötigt JavaScript."), "and says in it that it needs script");
            Assert.That((int)opted.StatusCode, Is.EqualTo(204));
            Assert.That((int)again.StatusCode, Is.EqualTo(204), "repeating it is harmless");
            Assert.That(optedOutAt, Is.EqualTo(Now.ToUnixTimeMilliseconds()));
            Assert.That((int)confirmed.StatusCode, Is.EqualTo(200));
            Assert.That(await confirmed.Content.ReadAsStringAsync(), Does.Contain("<html lang=\"de\"").And.Contain("Sie werden nicht mehr gefragt"));
            Assert.That((int)answered.StatusCode, Is.EqualTo(410), "the link can no longer be answered");
            Assert.That(Rows(_app).Responses, Is.Zero);
            Assert.That(inApp.Reason, Is.EqualTo("opted_out"), "in-app asks no more either");
            Assert.That(unknown.GetProperty("detail").GetString(), Does.Contain("Unknown survey link"));
        }
    }

    [Test]
    public async Task DontAskMeAgain_OnAnExpiredLink_StillOptsOut()
    {
        var (_, server, _) = Workspace();
        var path = PathOf(await server.CreateLink(new { user = User("u-1", Now) }));
        _app.Time.Advance(TimeSpan.FromDays(15));

        using var visitor = _app.CreateClient();
        var opted = await visitor.PostAsync(path + "/opt-out", null);

        using var c = _app.Db.Open();
        Assert.That((int)opted.StatusCode, Is.EqualTo(204));
        Assert.That(c.ExecuteScalar<long?>("SELECT opted_out_at FROM end_users WHERE user_id = 'u-1'"), Is.Not.Null, "a privacy wish is not refused");
    }
}
