using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using Dapper;
using Pulse.Api.Eligibility;
using Pulse.Api.Operations;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;
using static Pulse.Tests.Eligibility.EligibilityCalls;

namespace Pulse.Tests.Eligibility;

/// <summary>POST /v1/eligibility against the real API on each storage provider; time moves only through PulseFactory.Time.</summary>
[TestFixture(StorageProvider.Sqlite)]
[TestFixture(StorageProvider.Postgres, Category = TestCategories.Process)]
public sealed class EligibilityApiTests(StorageProvider provider)
{
    PulseFactory _app = null!;
    EndUserFaker _users = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _app = new PulseFactory(provider: provider);
        _ = _app.Server;
        _users = new EndUserFaker(301, _app.Time.GetUtcNow());
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    DateTimeOffset Now => _app.Time.GetUtcNow();

    (CreatedWorkspace Workspace, HttpClient Server) NewWorkspace(string name = "Acme")
    {
        var ws = _app.CreateWorkspace(name);
        return (ws, _app.SecretClient(ws.SecretKey));
    }

    /// <summary>
    /// The reasons for <paramref name="user"/> now, one millisecond before <paramref name="period"/>
    /// has passed, and exactly when it has: the edge of a throttle, seen through the API.
    /// </summary>
    async Task<string[]> ReasonsAcross(HttpClient server, Dictionary<string, object?> user, TimeSpan period)
    {
        var right = await server.CheckUser(user);
        _app.Time.Advance(period - TimeSpan.FromMilliseconds(1));
        var almost = await server.CheckUser(user);
        _app.Time.Advance(TimeSpan.FromMilliseconds(1));
        var after = await server.CheckUser(user);
        return [right.Reason, almost.Reason, after.Reason];
    }

    [Test]
    public async Task Eligibility_FirstCall_ReservesOneDisplay_WithTheTraitSnapshotAndNegotiatedLocale()
    {
        var (ws, server) = NewWorkspace("Globex");
        var fake = _users.Generate();
        var user = User(fake.Id!, Now, fake.Traits, fake.Email);

        var answer = await server.CheckUser(user, locale: "de-AT", url: "https://app.acme.test/jobs?id=1");

        using var c = _app.Db.Open();
        var display = c.QuerySingle("SELECT * FROM displays WHERE workspace_id = @W", new { W = ws.WorkspaceId });
        var stored = c.QuerySingle("SELECT * FROM end_users WHERE workspace_id = @W", new { W = ws.WorkspaceId });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Eligible, Is.True);
            Assert.That(answer.Reason, Is.EqualTo(Reasons.Eligible));
            Assert.That(answer.DisplayToken, Does.StartWith("dt_"));
            Assert.That(answer.Survey!.Id, Is.EqualTo(DefaultSurveyId(_app.Db, ws.WorkspaceId)));
            Assert.That(answer.Survey.Kind, Is.EqualTo("nps"));
            Assert.That(answer.Survey.Locale, Is.EqualTo("de"));
            Assert.That(answer.Survey.Dir, Is.EqualTo("ltr"));
            Assert.That(answer.Survey.Texts.Question, Is.EqualTo("Wie wahrscheinlich ist es, dass Sie Globex einem Freund oder Kollegen weiterempfehlen würden?"));
            Assert.That(answer.Survey.Theme.Color, Is.EqualTo("#4f46e5"));
            Assert.That(answer.Survey.Theme.Position, Is.EqualTo("bottom-right"));

            Assert.That((string)display.user_id, Is.EqualTo(fake.Id));
            Assert.That((string)display.email, Is.EqualTo(fake.Email));
            Assert.That((string)display.locale, Is.EqualTo("de"));
            Assert.That((string)display.url, Is.EqualTo("https://app.acme.test/jobs?id=1"));
            Assert.That((byte[])display.token_hash, Is.EqualTo(Keys.Hash(answer.DisplayToken!)));
            Assert.That((long)display.shown_at, Is.EqualTo(Now.ToUnixTimeMilliseconds()));
            Assert.That((long)display.expires_at - (long)display.shown_at, Is.EqualTo((long)TimeSpan.FromDays(7).TotalMilliseconds));
            Assert.That(System.Text.Json.JsonDocument.Parse((string)display.traits).RootElement.GetProperty("plan").GetString(),
                Is.EqualTo(fake.Traits!["plan"].GetString()));
            Assert.That((string)display.traits, Is.EqualTo((string)stored.traits));
            Assert.That((long)stored.signed_up_at, Is.EqualTo(Now.AddDays(-60).ToUnixTimeMilliseconds()));
        }
    }

    [Test]
    public async Task Eligibility_SecondCall_IsThrottledDisplay_UntilExactlyOneDayLater()
    {
        var (ws, server) = NewWorkspace();
        var user = User("u-reshow", Now);

        var first = await server.CheckUser(user);
        var reasons = await ReasonsAcross(server, user, TimeSpan.FromDays(1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Eligible, Is.True);
            Assert.That(reasons, Is.EqualTo(new[] { Reasons.ThrottledDisplay, Reasons.ThrottledDisplay, Reasons.Eligible }));
            Assert.That(Displays(_app.Db, ws.WorkspaceId, "u-reshow"), Is.EqualTo(2));
        }
    }

    [Test]
    public async Task Eligibility_AfterAnAnswer_IsThrottledForExactly90DaysFromTheAnswer()
    {
        var (_, server) = NewWorkspace();
        var user = User("u-answered", Now);
        var shown = await server.CheckUser(user);
        _app.Time.Advance(TimeSpan.FromMinutes(3));
        (await server.PostAsync("/v1/responses", Json.Of(new { displayToken = shown.DisplayToken, score = 9 }))).EnsureSuccessStatusCode();

        var reasons = await ReasonsAcross(server, user, TimeSpan.FromDays(90));

        Assert.That(reasons, Is.EqualTo(new[] { Reasons.ThrottledResponse, Reasons.ThrottledResponse, Reasons.Eligible }));
    }

    [Test]
    public async Task Eligibility_AfterADismissal_IsThrottledFor30Days()
    {
        var (_, server) = NewWorkspace();
        var user = User("u-declined", Now);
        var shown = await server.CheckUser(user);
        _app.Time.Advance(TimeSpan.FromMinutes(1));
        (await server.PostAsync("/v1/declines", Json.Of(new { displayToken = shown.DisplayToken }))).EnsureSuccessStatusCode();

        var reasons = await ReasonsAcross(server, user, TimeSpan.FromDays(30));

        Assert.That(reasons, Is.EqualTo(new[] { Reasons.ThrottledDecline, Reasons.ThrottledDecline, Reasons.Eligible }));
    }

    [Test]
    public async Task Eligibility_OptedOutUser_IsNeverShown()
    {
        var (_, server) = NewWorkspace();
        var user = User("u-out", Now);
        var shown = await server.CheckUser(user);
        (await server.PostAsync("/v1/opt-outs", Json.Of(new { displayToken = shown.DisplayToken }))).EnsureSuccessStatusCode();
        (await server.PostAsync("/v1/opt-outs", Json.Of(new { userId = "u-never-seen" }))).EnsureSuccessStatusCode();
        _app.Time.Advance(TimeSpan.FromDays(365));

        var answer = await server.CheckUser(user);
        var forced = await server.CheckUser(user, force: true);
        var neverSeen = await server.CheckUser(User("u-never-seen", Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Reason, Is.EqualTo(Reasons.OptedOut));
            Assert.That(forced.Reason, Is.EqualTo(Reasons.OptedOut));
            Assert.That(neverSeen.Reason, Is.EqualTo(Reasons.OptedOut));
        }
    }

    [Test]
    public async Task Eligibility_NewUserWithoutCreatedAt_IsTooNew_UntilThirtyDaysAfterFirstSeen()
    {
        var (_, server) = NewWorkspace();

        var reasons = await ReasonsAcross(server, new Dictionary<string, object?> { ["id"] = "u-fresh" }, TimeSpan.FromDays(30));

        Assert.That(reasons, Is.EqualTo(new[] { Reasons.TooNew, Reasons.TooNew, Reasons.Eligible }));
    }

    [Test]
    public async Task Eligibility_RepeatedNotEligibleCalls_WriteNothing_UntilLastSeenIsAnHourOld()
    {
        var (ws, server) = NewWorkspace();
        var user = User("u-quiet", Now, new { plan = "free" }, signedUpDaysAgo: 1);
        long LastSeen()
        {
            using var c = _app.Db.Open();
            return c.ExecuteScalar<long>("SELECT last_seen_at FROM end_users WHERE workspace_id = @W", new { W = ws.WorkspaceId });
        }
        // data_version is SQLite's: on PostgreSQL the test checks the stored row only.
        long DataVersion(System.Data.Common.DbConnection c) => provider == StorageProvider.Sqlite ? c.ExecuteScalar<long>("PRAGMA data_version") : 0;

        Assert.That((await server.CheckUser(user)).Reason, Is.EqualTo(Reasons.TooNew));
        var firstSeen = LastSeen();
        _app.Time.Advance(TimeSpan.FromMinutes(59));
        // The key's last use is stamped at most once a minute (docs/decisions.md D10): let that write happen first.
        (await server.GetAsync("/v1/workspace")).EnsureSuccessStatusCode();
        // data_version moves when another connection commits: a read-only call leaves it alone.
        using var watcher = _app.Db.Open();
        var before = DataVersion(watcher);
        Assert.That((await server.CheckUser(user)).Reason, Is.EqualTo(Reasons.TooNew));
        var unchanged = DataVersion(watcher);
        var stillFirst = LastSeen();
        _app.Time.Advance(TimeSpan.FromMinutes(1));
        await server.CheckUser(user);
        var refreshed = LastSeen();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(unchanged, Is.EqualTo(before), "no commit for an unchanged user seen recently");
            Assert.That(stillFirst, Is.EqualTo(firstSeen));
            Assert.That(refreshed, Is.EqualTo(Now.ToUnixTimeMilliseconds()));
        }
    }

    [Test]
    public async Task Eligibility_UpsertsEmailCreatedAtAndTraits_LatestWins_FirstSeenStays()
    {
        var (ws, server) = NewWorkspace();
        var firstSeen = Now.ToUnixTimeMilliseconds();
        await server.CheckUser(User("u-upsert", Now, new { plan = "free", role = "admin" }, "old@globex.test", signedUpDaysAgo: 2));
        _app.Time.Advance(TimeSpan.FromMinutes(5));
        await server.CheckUser(User("u-upsert", Now, new { plan = "premium" }, "new@globex.test", signedUpDaysAgo: 3));
        _app.Time.Advance(TimeSpan.FromMinutes(5));
        await server.CheckUser(new Dictionary<string, object?> { ["id"] = "u-upsert" });

        using var c = _app.Db.Open();
        var row = c.QuerySingle("SELECT * FROM end_users WHERE workspace_id = @W", new { W = ws.WorkspaceId });
        using (Assert.EnterMultipleScope())
        {
            Assert.That((string)row.email, Is.EqualTo("new@globex.test"));
            Assert.That((string)row.traits, Is.EqualTo("""{"plan":"premium"}"""), "a given traits object replaces the set; an omitted one keeps it");
            Assert.That((long)row.signed_up_at, Is.EqualTo(Now.AddMinutes(-5).AddDays(-3).ToUnixTimeMilliseconds()));
            Assert.That((long)row.first_seen_at, Is.EqualTo(firstSeen));
        }
    }

    [Test]
    public async Task Eligibility_DisplaySnapshot_KeepsTheTraitsOfDisplayTime()
    {
        var (ws, server) = NewWorkspace();
        Assert.That((await server.CheckUser(User("u-snap", Now, new { plan = "free", arr = 100 }))).Eligible, Is.True);
        _app.Time.Advance(TimeSpan.FromHours(2));
        await server.CheckUser(User("u-snap", Now, new { plan = "enterprise", arr = 90000 }));

        using var c = _app.Db.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(c.ExecuteScalar<string>("SELECT traits FROM displays WHERE workspace_id = @W", new { W = ws.WorkspaceId }),
                Is.EqualTo("""{"arr":100,"plan":"free"}"""));
            Assert.That(c.ExecuteScalar<string>("SELECT traits FROM end_users WHERE workspace_id = @W", new { W = ws.WorkspaceId }),
                Is.EqualTo("""{"arr":90000,"plan":"enterprise"}"""));
        }
    }

    [Test]
    public async Task Eligibility_SiteKeyFromAnAllowedOrigin_WithAValidUserHash_IsAnswered()
    {
        var ws = _app.CreateWorkspace("Browser", ["https://app.acme.test"]);
        using var browser = _app.BrowserClient("https://app.acme.test");

        var answer = await browser.Check(new
        {
            siteKey = ws.SiteKey,
            user = User("u-browser", Now),
            userHash = Keys.UserHash(ws.IdentitySecret, "u-browser"),
        });

        Assert.That(answer.Eligible, Is.True);
    }

    [Test]
    public async Task Eligibility_SiteKeyOfAWorkspaceWithoutIdentityVerification_NeedsNoUserHash()
    {
        var ws = _app.CreateWorkspace("Open", ["https://open.acme.test"], requireUserHash: false);
        using var browser = _app.BrowserClient("https://open.acme.test");

        var answer = await browser.Check(new { siteKey = ws.SiteKey, user = User("u-open", Now) });

        Assert.That(answer.Eligible, Is.True);
    }

    [Test]
    public async Task Eligibility_ForceWithASecretKey_ShowsAUserTheRulesWouldHold()
    {
        var (_, server) = NewWorkspace();
        var user = User("u-force", Now, signedUpDaysAgo: 0);

        var plain = await server.CheckUser(user);
        var forced = await server.CheckUser(user, force: true);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(plain.Reason, Is.EqualTo(Reasons.TooNew));
            Assert.That(forced.Eligible, Is.True);
        }
    }

    [Test]
    public async Task Eligibility_ForceFromTheSiteKeyOfATestModeWorkspace_IsHonoured()
    {
        var (ws, server) = NewWorkspace();
        (await server.PutAsync("/v1/workspace", Json.Body("""{"testMode":true}"""))).EnsureSuccessStatusCode();
        using var browser = _app.BrowserClient();

        var answer = await browser.Check(new
        {
            siteKey = ws.SiteKey,
            user = User("u-staging", Now, signedUpDaysAgo: 0),
            userHash = Keys.UserHash(ws.IdentitySecret, "u-staging"),
            force = true,
        });

        Assert.That(answer.Eligible, Is.True);
    }

    [Test]
    public async Task Eligibility_Texts_FollowAcceptLanguage_TheLocaleField_ProductNameAndSurveyOverrides()
    {
        var (ws, server) = NewWorkspace();
        (await server.PutAsync("/v1/workspace", Json.Body("""{"productName":"Acme Recruit"}"""))).EnsureSuccessStatusCode();
        var surveyId = DefaultSurveyId(_app.Db, ws.WorkspaceId);
        (await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body("""
            { "texts": { "he": { "thanks": "תודה רבה מ-{product}!" } } }
            """))).EnsureSuccessStatusCode();

        using var hebrewClient = _app.SecretClient(ws.SecretKey);
        hebrewClient.DefaultRequestHeaders.Add("Accept-Language", "he-IL,he;q=0.9,en;q=0.5");
        var hebrew = await hebrewClient.CheckUser(User("u-he", Now));
        var fieldWins = await hebrewClient.CheckUser(User("u-ja", Now), locale: "ja");
        var chinese = await server.CheckUser(User("u-hk", Now), locale: "zh-HK");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(hebrew.Survey!.Locale, Is.EqualTo("he"));
            Assert.That(hebrew.Survey.Dir, Is.EqualTo("rtl"));
            Assert.That(hebrew.Survey.Texts.Thanks, Is.EqualTo("תודה רבה מ-Acme Recruit!"));
            Assert.That(hebrew.Survey.Texts.Question, Does.Contain("Acme Recruit"));
            Assert.That(fieldWins.Survey!.Locale, Is.EqualTo("ja"));
            Assert.That(fieldWins.Survey.Texts.Question, Is.EqualTo("Acme Recruitを友人や同僚に薦める可能性はどのくらいありますか？"));
            Assert.That(chinese.Survey!.Locale, Is.EqualTo("zh-HK"), "Hong Kong has its own catalog locale");
        }
    }

    [Test]
    public async Task Eligibility_EventTriggeredSurvey_ShowsOnItsEvent_ThenFatigueHoldsThePageViewSurvey()
    {
        var (ws, server) = NewWorkspace();
        var created = await server.PostAsync("/v1/surveys", Json.Body("""
            { "name": "Support NPS", "trigger": "support_case_closed", "priority": 10, "firstSurveyDelayDays": 0, "resurveyDays": 30 }
            """));
        var support = await created.ReadJson<Pulse.Api.Surveys.SurveyResource>(201);
        var user = User("u-support", Now);

        var onEvent = await server.CheckUser(user, eventName: "support_case_closed");
        var pageView = await server.CheckUser(user);
        var otherEvent = await server.CheckUser(user, eventName: "invoice_paid");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(onEvent.Survey?.Id, Is.EqualTo(support.Id));
            Assert.That(pageView.Reason, Is.EqualTo(Reasons.Fatigue));
            Assert.That(otherEvent.Reason, Is.EqualTo(Reasons.NoTrigger));
            Assert.That(Displays(_app.Db, ws.WorkspaceId, "u-support"), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Eligibility_Targeting_ByTraitsAndEmailDomain()
    {
        var (ws, server) = NewWorkspace();
        var surveyId = DefaultSurveyId(_app.Db, ws.WorkspaceId);
        (await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body("""
            { "targeting": [ { "trait": "plan", "op": "in", "values": ["premium", "enterprise"] }, { "trait": "arr", "op": "gte", "value": 10000 } ],
              "excludeEmailDomains": ["acme.com"] }
            """))).EnsureSuccessStatusCode();

        var premium = await server.CheckUser(User("u-t1", Now, new { plan = "premium", arr = 48000 }, "dana@customer.test"));
        var free = await server.CheckUser(User("u-t2", Now, new { plan = "free", arr = 48000 }));
        var small = await server.CheckUser(User("u-t3", Now, new { plan = "enterprise", arr = 900 }));
        var staff = await server.CheckUser(User("u-t4", Now, new { plan = "premium", arr = 48000 }, "me@acme.com"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(premium.Eligible, Is.True);
            Assert.That(free.Reason, Is.EqualTo(Reasons.NotTargeted));
            Assert.That(small.Reason, Is.EqualTo(Reasons.NotTargeted));
            Assert.That(staff.Reason, Is.EqualTo(Reasons.NotTargeted));
        }
    }

    [Test]
    public async Task Eligibility_DailyCap_HoldsTheSurveyUntilTheNextUtcDay()
    {
        var (ws, server) = NewWorkspace();
        var surveyId = DefaultSurveyId(_app.Db, ws.WorkspaceId);
        (await server.PutAsync($"/v1/surveys/{surveyId}", Json.Body("""{ "dailyCap": 2 }"""))).EnsureSuccessStatusCode();
        _app.Time.AdjustTime(new DateTimeOffset(2027, 1, 10, 23, 0, 0, TimeSpan.Zero));

        var answers = new List<string>();
        foreach (var id in new[] { "u-c1", "u-c2", "u-c3" })
            answers.Add((await server.CheckUser(User(id, Now))).Reason);
        _app.Time.Advance(TimeSpan.FromHours(1));
        answers.Add((await server.CheckUser(User("u-c3", Now))).Reason);

        Assert.That(answers, Is.EqualTo(new[] { Reasons.Eligible, Reasons.Eligible, Reasons.DailyCap, Reasons.Eligible }));
    }

    [Test]
    public async Task Eligibility_DeletedSurvey_IsNeverShown_AndItsDisplaysStay()
    {
        var (ws, server) = NewWorkspace();
        var surveyId = DefaultSurveyId(_app.Db, ws.WorkspaceId);
        Assert.That((await server.CheckUser(User("u-del", Now))).Eligible, Is.True);
        (await server.DeleteAsync($"/v1/surveys/{surveyId}")).EnsureSuccessStatusCode();
        _app.Time.Advance(TimeSpan.FromDays(400));

        var answer = await server.CheckUser(User("u-del", Now));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Reason, Is.EqualTo(Reasons.SurveyInactive));
            Assert.That(Displays(_app.Db, ws.WorkspaceId, "u-del"), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Eligibility_EveryDecision_IsCountedByReason()
    {
        var meter = _app.Services.GetRequiredService<PulseMetrics>().Meter;
        var counted = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "pulse.eligibility.decisions")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "reason")
                    lock (counted)
                        counted.Add((string)tag.Value!);
        });
        listener.Start();
        var (_, server) = NewWorkspace();

        await server.CheckUser(User("u-m", Now));
        await server.CheckUser(User("u-m", Now));
        await server.CheckUser(User("u-m2", Now, signedUpDaysAgo: 1));

        lock (counted)
            Assert.That(counted, Is.EqualTo(new[] { Reasons.Eligible, Reasons.ThrottledDisplay, Reasons.TooNew }));
    }

    [Test]
    public async Task Eligibility_ResponseShape_NotEligibleHasOnlyEligibleAndReason()
    {
        var (_, server) = NewWorkspace();
        var response = await server.PostAsJsonAsync("/v1/eligibility", new { user = new { id = "u-shape" } });
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(text, Is.EqualTo("""{"eligible":false,"reason":"too_new"}"""));
    }
}
